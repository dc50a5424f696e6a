// The database and its two roles (docs/adr/0011-ledger-group-commit-and-roles.md): an owner role that
// migrations run as and that owns every object, and the broker's runtime role, a member of the group
// role `kyc_app` that the migrations grant to (only reading the ledger, appending through
// ledger_append). Needs an administrative connection (a superuser or a role with CREATEROLE and
// CREATEDB) once; after that, migrations and the broker never use it.
//
//   node scripts/database.mjs [--fresh]   prepares the database of DATABASE_URL / MIGRATION_DATABASE_URL
import pg from 'pg';
import { run } from './lib.mjs';

export const DATABASE_DEFAULTS = {
  admin: 'postgresql://postgres@127.0.0.1:5432/postgres',
  owner: 'postgresql://kyc_owner@127.0.0.1:5432/kyc_broker',
  app: 'postgresql://kyc_app@127.0.0.1:5432/kyc_broker',
};

/** The three connection strings from the environment (or the development defaults). */
export function databaseUrls(env = process.env) {
  return {
    admin: env.DATABASE_ADMIN_URL ?? DATABASE_DEFAULTS.admin,
    owner: env.MIGRATION_DATABASE_URL ?? DATABASE_DEFAULTS.owner,
    app: env.DATABASE_URL ?? DATABASE_DEFAULTS.app,
  };
}

const ident = (name) => `"${name.replaceAll('"', '""')}"`;
const literal = (text) => `'${text.replaceAll("'", "''")}'`;

function roleOf(url) {
  const u = new URL(url);
  return { name: decodeURIComponent(u.username), password: u.password === '' ? undefined : decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.slice(1)) };
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function ensureRole(client, { name, password }, attributes) {
  const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount > 0;
  const pass = password === undefined ? '' : ` PASSWORD ${literal(password)}`;
  await client.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${ident(name)} WITH ${attributes}${pass}`);
}

/**
 * Creates the roles and the database (dropped first with `fresh`), hands every existing object of an
 * older installation to the owner, and applies the migrations as the owner.
 */
export async function prepareDatabase({ env = process.env, fresh = false, quiet = false } = {}) {
  const urls = databaseUrls(env);
  const owner = roleOf(urls.owner);
  const app = roleOf(urls.app);
  if (owner.database !== app.database) throw new Error('DATABASE_URL and MIGRATION_DATABASE_URL must name the same database');
  if (owner.name === app.name) throw new Error('the broker must not run as the role that owns the database (DATABASE_URL vs MIGRATION_DATABASE_URL)');
  const adminUrl = new URL(urls.admin);
  await withClient(adminUrl.toString(), async (admin) => {
    await ensureRole(admin, owner, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS');
    await ensureRole(admin, { name: 'kyc_app' }, 'NOLOGIN NOSUPERUSER NOBYPASSRLS');
    if (app.name !== 'kyc_app') {
      await ensureRole(admin, app, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT');
      await admin.query(`GRANT kyc_app TO ${ident(app.name)}`);
    } else {
      await ensureRole(admin, app, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS');
    }
    if (fresh) await admin.query(`DROP DATABASE IF EXISTS ${ident(owner.database)} WITH (FORCE)`);
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [owner.database])).rowCount > 0;
    if (!exists) {
      await admin.query(`CREATE DATABASE ${ident(owner.database)} OWNER ${ident(owner.name)}`);
      if (!quiet) console.log(`created database ${owner.database}`);
    } else {
      await admin.query(`ALTER DATABASE ${ident(owner.database)} OWNER TO ${ident(owner.name)}`);
    }
    await admin.query(`REVOKE ALL ON DATABASE ${ident(owner.database)} FROM PUBLIC`);
    await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(owner.database)} TO kyc_app`);
  });
  // An installation from before the two roles: its objects belong to whoever migrated then.
  const inDatabase = new URL(urls.admin);
  inDatabase.pathname = `/${encodeURIComponent(owner.database)}`;
  await withClient(inDatabase.toString(), (admin) =>
    admin.query(`DO $$
      DECLARE r record;
      BEGIN
        EXECUTE format('ALTER SCHEMA public OWNER TO %I', ${literal(owner.name)});
        FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND pg_get_userbyid(c.relowner) <> ${literal(owner.name)} LOOP
          EXECUTE format('ALTER %s %I OWNER TO %I', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname, ${literal(owner.name)});
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> ${literal(owner.name)} LOOP
          EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.sig, ${literal(owner.name)});
        END LOOP;
        FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                  WHERE n.nspname = 'public' AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> ${literal(owner.name)} LOOP
          EXECUTE format('ALTER TYPE %I OWNER TO %I', r.typname, ${literal(owner.name)});
        END LOOP;
      END $$`),
  );
  run('npx', ['prisma', 'migrate', 'deploy'], { ...process.env, DATABASE_URL: urls.owner });
  return urls;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await prepareDatabase({ fresh: process.argv.includes('--fresh'), quiet: process.argv.includes('--quiet') });
}
