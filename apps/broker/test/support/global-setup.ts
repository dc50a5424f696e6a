import { spawnSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const TEST_DATABASE = 'kyc_broker_test';

/** A fresh database for every run: dropped, created, migrated with the real migrations. */
export default async function setup(project: TestProject): Promise<void> {
  const base = new URL(process.env['TEST_DATABASE_URL'] ?? `postgresql://postgres@127.0.0.1:5432/${TEST_DATABASE}`);
  const name = decodeURIComponent(base.pathname.slice(1));
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const migrate = spawnSync('npx', ['prisma', 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: base.toString() },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  project.provide('databaseUrl', base.toString());
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
