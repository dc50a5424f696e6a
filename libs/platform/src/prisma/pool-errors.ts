import type pg from 'pg';

/**
 * Keeps a broken database connection from crashing the process. node-postgres emits `error` on
 * an idle pooled connection that breaks (the pool's listener) and on a checked-out one that breaks
 * between two queries (the connection's own, which nothing else listens to: a transaction waiting
 * on a bank call when Postgres restarts). The query in flight, or the next one, fails anyway and
 * the pool drops the connection on release, so the event itself needs no handling.
 */
export function survivePoolErrors(pool: pg.Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
}
