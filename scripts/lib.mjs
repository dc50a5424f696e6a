// Shared steps of `npm start` and `npm test`: keys, Prisma client, build, database, migrations.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { buildDashboard } from './build-dashboard.mjs';
import { ensureKeys } from './ensure-keys.mjs';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/kyc_broker';

export function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

export { ensureKeys };

export function generatePrismaClient() {
  run('npx', ['prisma', 'generate']);
}

/** The broker (nest build), then the auditor dashboard's browser bundle it serves. */
export function build() {
  run('npx', ['nest', 'build', 'broker']);
  buildDashboard();
}

/** Creates the database named in `url` when it does not exist yet. */
export async function ensureDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

export function migrate(url) {
  run('npx', ['prisma', 'migrate', 'deploy'], { ...process.env, DATABASE_URL: url });
}
