import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A caller's id is kept only as a UUID (RFC 9562 text form): it ends up in the ledger, which is
 * immutable, so it must not be able to carry free text (a name, a formula, a birthdate).
 */
const WELL_FORMED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type WithId = IncomingMessage & { id?: unknown };

/** The request's id: the caller's `X-Request-Id` when it is a UUID, else a new one; echoed on the response. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const carrier = req as WithId;
  if (typeof carrier.id === 'string') return carrier.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && WELL_FORMED.test(given) ? given.toLowerCase() : randomUUID();
  carrier.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
