import { parseCheckpointBody, parseNote, type CheckpointBody, type Note } from '@kyc/ledger';

/** tlog-witness: a client MUST NOT send more (a proof in a tree of 2^63 leaves is at most 63 long). */
export const MAX_PROOF_LINES = 63;

const OLD_SIZE = /^old (0|[1-9][0-9]*)$/;
// 32 bytes of canonical base64: 42 characters, one whose last two bits are zero, and the padding.
const HASH_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface AddCheckpointRequest {
  readonly oldSize: number;
  /** Consistency proof hashes, lowercase hex as the ledger's Merkle code takes them. */
  readonly proof: readonly string[];
  readonly note: Note;
  readonly checkpoint: CheckpointBody;
}

/**
 * The add-checkpoint body: `old <size>`, up to 63 base64 proof lines, an empty line, a checkpoint
 * note. Throws TypeError for anything malformed (the witness answers 400).
 */
export function parseAddCheckpointRequest(body: Uint8Array): AddCheckpointRequest {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new TypeError('the request body is not UTF-8');
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new TypeError('the request has no empty line before the checkpoint');
  const [oldLine = '', ...proofLines] = text.slice(0, blank).split('\n');
  const old = OLD_SIZE.exec(oldLine)?.[1];
  if (old === undefined || !Number.isSafeInteger(Number(old))) throw new TypeError('the first line is not "old <size>" in decimal');
  if (proofLines.length > MAX_PROOF_LINES) throw new TypeError(`more than ${MAX_PROOF_LINES} consistency proof lines`);
  if (!proofLines.every((line) => HASH_BASE64.test(line))) throw new TypeError('a consistency proof line is not a base64 SHA-256 hash');
  const note = parseNote(text.slice(blank + 2));
  return {
    oldSize: Number(old),
    proof: proofLines.map((line) => Buffer.from(line, 'base64').toString('hex')),
    note,
    checkpoint: parseCheckpointBody(note.body),
  };
}
