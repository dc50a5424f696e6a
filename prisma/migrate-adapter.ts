/**
 * The driver adapter Prisma's JS schema engine uses for `migrate`, working around three bugs of
 * @prisma/adapter-pg 6.19 (see docs/adr/0002-prisma-js-engine.md):
 * 1. result columns of type `char` (OID 18) and `name` (OID 19), which migrate's introspection
 *    reads, are unmapped and throw; they are reported as `text` here;
 * 2. `executeScript` splits on every `;`, breaking `$$`-quoted function bodies; the script is sent
 *    whole instead (the simple query protocol runs many statements);
 * 3. the shadow database is dropped while its own pool still holds connections; the pool is closed
 *    first here.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const TEXT_OID = 25;
const UNMAPPED_TEXT_OIDS = new Set([18, 19]);

function mapUnmappedTypes(res: pg.QueryResult | undefined): void {
  for (const field of res?.fields ?? []) {
    if (UNMAPPED_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
  }
}

type AnyQuery = (...args: unknown[]) => unknown;

/** pg.Pool calls the callback form, the adapter's own client the promise form: both are covered. */
function mapTypesOn(client: pg.PoolClient): void {
  const original = client.query.bind(client) as AnyQuery;
  const patched: AnyQuery = (...args) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: Error | null, res?: pg.QueryResult) => void;
      return original(...args.slice(0, -1), (err: Error | null, res?: pg.QueryResult) => {
        mapUnmappedTypes(res);
        callback(err, res);
      });
    }
    const result = original(...args);
    return result instanceof Promise
      ? result.then((res: pg.QueryResult) => {
          mapUnmappedTypes(res);
          return res;
        })
      : result;
  };
  Object.assign(client, { query: patched });
}

function typeMappingPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString });
  pool.on('connect', mapTypesOn);
  return pool;
}

function wholeScripts(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  const original = adapter.executeScript.bind(adapter);
  adapter.executeScript = async (script: string): Promise<void> => {
    try {
      await pool.query(script);
    } catch {
      // Let the adapter run it again to turn the error into Prisma's own error shape.
      await original(script);
    }
  };
  return adapter;
}

export class MigrateAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';

  constructor(private readonly connectionString: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.connectTo(this.connectionString);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const admin = new pg.Client({ connectionString: this.connectionString });
    await admin.connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID().replaceAll('-', '')}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const url = new URL(this.connectionString);
    url.pathname = `/${database}`;
    const pool = typeMappingPool(url.toString());
    const adapter = await new PrismaPg(pool).connect();
    const disposeInner = adapter.dispose.bind(adapter);
    adapter.dispose = async (): Promise<void> => {
      await disposeInner();
      await pool.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    };
    return wholeScripts(adapter, pool);
  }

  private async connectTo(connectionString: string): Promise<SqlDriverAdapter> {
    const pool = typeMappingPool(connectionString);
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return wholeScripts(adapter, pool);
  }
}
