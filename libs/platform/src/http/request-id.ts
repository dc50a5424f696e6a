import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

type WithId = IncomingMessage & { id?: unknown };

/** The request's id: the caller's `X-Request-Id` when well-formed, else a new one; echoed on the response. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const carrier = req as WithId;
  if (typeof carrier.id === 'string') return carrier.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUUID();
  carrier.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
