import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { BOOTSTRAP_KEY } from './bootstrap-key.js';
import { customerNeedles, scanLogs, type Needle } from './log-scan.js';

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
  // Every broker of the run logs here (at info); the teardown fails the run on personal data or a secret.
  const logDir = mkdtempSync(path.join(tmpdir(), 'kyc-e2e-logs-'));
  project.provide('databaseUrl', urls.DATABASE_URL);
  project.provide('ownerDatabaseUrl', urls.MIGRATION_DATABASE_URL);
  project.provide('adminDatabaseUrl', admin.toString());
  project.provide('witnessStateDir', witnessState);
  project.provide('logDir', logDir);
  return () => {
    rmSync(witnessState, { recursive: true, force: true });
    const findings = scanLogs(logDir, [...customerNeedles(), ...secretNeedles()]);
    if (findings.length > 0) {
      const where = findings.slice(0, 20).map((f) => `${f.file}:${f.line} ${f.kind}`).join('\n  ');
      // vitest reports a teardown's error but keeps its exit code: set ours, so `npm test` fails.
      process.exitCode = 1;
      throw new Error(`the e2e run's logs carry personal data or secrets (kept in ${logDir}):\n  ${where}`);
    }
    rmSync(logDir, { recursive: true, force: true });
  };
}

/** The bootstrap key and every private part of the key material the stack runs with. */
function secretNeedles(): Needle[] {
  const needles: Needle[] = [{ kind: 'bootstrap key', text: BOOTSTRAP_KEY }];
  const keysDir = process.env['KEYS_DIR'] ?? '.keys';
  let files: string[] = [];
  try {
    files = readdirSync(keysDir);
  } catch {
    return needles;
  }
  for (const file of files.filter((f) => !f.includes('public'))) {
    const text = readFileSync(path.join(keysDir, file), 'utf8').trim();
    if (file.endsWith('.key')) needles.push({ kind: `key material (${file})`, text });
    for (const match of text.matchAll(/"d"\s*:\s*"([^"]+)"/g)) if (match[1] !== undefined) needles.push({ kind: `private key (${file})`, text: match[1] });
  }
  return needles;
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
    /** Where every broker of the run writes its log, scanned at the end. */
    logDir: string;
  }
}
