/** The longest line a reader accepts: an entry is a few hundred bytes; a line without end is an attack on memory. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * The lines of a byte stream, read chunk by chunk: memory holds one chunk and one partial line,
 * whatever the stream's length. Leaving the loop early cancels the stream.
 */
export async function* streamLines(body: ReadableStream<Uint8Array>, maxLineChars = MAX_LINE_CHARS): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
        const line = pending.slice(start, end);
        start = end + 1;
        yield line.endsWith('\r') ? line.slice(0, -1) : line;
      }
      pending = pending.slice(start);
      if (pending.length > maxLineChars) throw new RangeError(`a line is longer than ${maxLineChars} characters`);
      if (done) break;
    }
    if (pending !== '') yield pending;
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
