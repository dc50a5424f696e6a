import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Witness, WitnessReply } from './witness.js';

/** The submission and monitoring prefix of the bank's witness (`<issuer>/witness`). */
export const WITNESS_PREFIX = '/witness';
/** A checkpoint with 63 proof lines and a few dozen signatures stays far below this. */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

const ADD_CHECKPOINT = `${WITNESS_PREFIX}/add-checkpoint`;
const CHECKPOINT = new RegExp(`^${WITNESS_PREFIX}/([0-9a-f]{64})/checkpoint$`);

export function isWitnessPath(path: string): boolean {
  return path === WITNESS_PREFIX || path.startsWith(`${WITNESS_PREFIX}/`);
}

/**
 * A plain Node handler, so that no JSON or form parser reads the text bodies first: the bank mounts
 * it before Nest's body parsers, tests may serve it alone.
 */
export function witnessHandler(witness: Witness): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      send(res, await route(witness, req));
    } catch {
      if (!res.headersSent) send(res, { status: 500, contentType: 'text/plain; charset=utf-8', body: 'internal error\n' });
      else res.destroy();
    }
  };
}

async function route(witness: Witness, req: IncomingMessage): Promise<WitnessReply & { readonly allow?: string }> {
  const path = new URL(req.url ?? '/', 'http://witness').pathname;
  if (path === ADD_CHECKPOINT) {
    if (req.method !== 'POST') return { ...plain(405, 'add-checkpoint takes POST'), allow: 'POST' };
    const body = await readBody(req, MAX_ADD_CHECKPOINT_BYTES);
    return body ? witness.addCheckpoint(body) : plain(413, `the request body is larger than ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
  }
  const originHash = CHECKPOINT.exec(path)?.[1];
  if (originHash !== undefined) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return { ...plain(405, 'checkpoint takes GET'), allow: 'GET, HEAD' };
    return witness.latestCheckpoint(originHash);
  }
  return plain(404, 'not a witness endpoint');
}

/** The body, or undefined when it exceeds `limit` (what is past the limit is read and dropped). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size <= limit ? Buffer.concat(chunks) : undefined;
}

function send(res: ServerResponse, reply: WitnessReply & { readonly allow?: string }): void {
  const body = Buffer.from(reply.body, 'utf8');
  res.statusCode = reply.status;
  res.setHeader('content-type', reply.contentType);
  res.setHeader('content-length', body.length);
  res.setHeader('cache-control', 'no-store');
  if (reply.allow) res.setHeader('allow', reply.allow);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function plain(status: number, message: string): WitnessReply {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}
