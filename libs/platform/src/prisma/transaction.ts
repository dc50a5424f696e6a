import type pg from 'pg';

/** What a transaction's work answers to end it with ROLLBACK instead of COMMIT. */
export const ROLLBACK: unique symbol = Symbol('rollback');

/**
 * Runs `work` in one transaction on a connection of `pool`: COMMIT when it returns a value,
 * ROLLBACK (answering undefined) when it returns ROLLBACK, ROLLBACK and rethrow when it throws. A
 * connection whose transaction state is unknown (a failed ROLLBACK) is dropped rather than reused.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T | typeof ROLLBACK>): Promise<T | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    if (result === ROLLBACK) {
      await client.query('ROLLBACK');
      return undefined;
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((failed: unknown) => {
      broken = failed instanceof Error ? failed : new Error('ROLLBACK failed');
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
