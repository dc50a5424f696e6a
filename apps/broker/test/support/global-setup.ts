import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

// E2E_DATABASE names another database (to run one file beside another suite).
const TEST_DATABASE = process.env['E2E_DATABASE'] ?? 'kyc_broker_test';

/**
 * A fresh database for every run, prepared as `npm start` prepares one: the owner and runtime roles,
 * the database dropped and created, the real migrations applied as the owner. Tests run the broker
 * as the runtime role; tamper tests use the administrative connection, as an insider would.
 */
export default function setup(project: TestProject): () => void {
  const host = process.env['TEST_DATABASE_HOST'] ?? '127.0.0.1:5432';
  const urls = {
    DATABASE_ADMIN_URL: process.env['TEST_DATABASE_ADMIN_URL'] ?? `postgresql://postgres@${host}/postgres`,
    MIGRATION_DATABASE_URL: `postgresql://kyc_owner@${host}/${TEST_DATABASE}`,
    DATABASE_URL: `postgresql://kyc_app@${host}/${TEST_DATABASE}`,
  };
  const prepared = spawnSync('node', ['scripts/database.mjs', '--fresh', '--quiet'], { env: { ...process.env, ...urls }, encoding: 'utf8' });
  if (prepared.status !== 0) throw new Error(`preparing the test database failed:\n${prepared.stdout}\n${prepared.stderr}`);
  const admin = new URL(urls.DATABASE_ADMIN_URL);
  admin.pathname = `/${TEST_DATABASE}`;
  // The witnesses' own storage (the mock banks'), as fresh as the database.
  const witnessState = mkdtempSync(path.join(tmpdir(), 'kyc-witness-'));
  project.provide('databaseUrl', urls.DATABASE_URL);
  project.provide('ownerDatabaseUrl', urls.MIGRATION_DATABASE_URL);
  project.provide('adminDatabaseUrl', admin.toString());
  project.provide('witnessStateDir', witnessState);
  return () => rmSync(witnessState, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The broker's runtime role. */
    databaseUrl: string;
    /** The owner role migrations run as. */
    ownerDatabaseUrl: string;
    /** A superuser on the test database: the insider of the tamper tests. */
    adminDatabaseUrl: string;
    witnessStateDir: string;
  }
}
