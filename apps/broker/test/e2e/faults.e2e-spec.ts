import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash, merkleRoot, type LedgerEntry } from '@kyc/ledger';
import { call, consentAtBank, customersOf, newTenant, newVerification, operator, type Tenant } from '../support/api.js';
import { FaultProxy, PrivatePostgres, PrivateRedis } from '../support/faults.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Faults under load, on a Postgres and a Redis of this file's own (the machine's shared servers are
 * never touched): the database cut off for 3 s behind a TCP proxy, the database restarted, and
 * Redis killed and started again. After each: every identity a client received has its ledger
 * entry, the tree recomputes, and the service is back within 5 s. The full matrix (kill -9, both
 * banks' faults) is `npm run chaos`.
 */
const PG_PORT = 15432;
const PG_PROXY_PORT = 15433;
const REDIS_PORT = 16379;
const DATABASE = 'kyc_faults';

let pg: PrivatePostgres;
let pgProxy: FaultProxy;
let redis: PrivateRedis;
let stack: Stack;
let tenant: Tenant;
let verifications: string[];
let witnessDir: string;

interface Seen {
  at: number;
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
  type: string | null;
}

beforeAll(async () => {
  pg = await PrivatePostgres.start(PG_PORT);
  pgProxy = await FaultProxy.start(PG_PROXY_PORT, { host: '127.0.0.1', port: PG_PORT });
  redis = await PrivateRedis.start(REDIS_PORT);
  const urls = {
    DATABASE_ADMIN_URL: pg.adminUrl,
    MIGRATION_DATABASE_URL: `postgresql://kyc_owner@127.0.0.1:${PG_PORT}/${DATABASE}`,
    DATABASE_URL: `postgresql://kyc_app@127.0.0.1:${PG_PROXY_PORT}/${DATABASE}`,
  };
  const prepared = spawnSync('node', ['scripts/database.mjs', '--fresh', '--quiet'], { env: { ...process.env, ...urls }, encoding: 'utf8' });
  if (prepared.status !== 0) throw new Error(`preparing the private database failed:\n${prepared.stdout}\n${prepared.stderr}`);
  // Witness storage of its own too: this ledger is not the shared one, and a witness that held its
  // larger tree would refuse the shared ledger's checkpoints afterwards (a witness never goes back).
  witnessDir = mkdtempSync(path.join(tmpdir(), 'kyc-witness-faults-'));
  stack = await startStack({
    DATABASE_URL: urls.DATABASE_URL,
    REDIS_URL: redis.url,
    BANK_TIMEOUT_MS: '2000',
    BANK_A_WITNESS_STATE_DIR: path.join(witnessDir, 'a'),
    BANK_B_WITNESS_STATE_DIR: path.join(witnessDir, 'b'),
  });
  tenant = await newTenant(stack);
  const customer = (await customersOf(stack.bankA, 100)).find((c) => c.record['kycStatus'] === 'VERIFIED');
  verifications = [];
  for (let i = 0; i < 3; i++) {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer?.username ?? '', 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    verifications.push(String(v['id']));
  }
}, 180_000);

afterAll(async () => {
  await stack.close();
  await pgProxy.close();
  await redis.stopServer();
  await pg.destroy();
  rmSync(witnessDir, { recursive: true, force: true });
});

/** Releases from `clients` concurrent loops until `stop()` resolves; every answer is kept. */
async function underLoad(clients: number, during: () => Promise<void>): Promise<Seen[]> {
  const seen: Seen[] = [];
  let running = true;
  const loop = async (n: number): Promise<void> => {
    for (let i = 0; running; i++) {
      const id = verifications[(n + i) % verifications.length] ?? '';
      try {
        const res = await fetch(`${stack.broker}/v1/verifications/${id}/identity`, { headers: { authorization: `Bearer ${tenant.key}` }, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        seen.push({ at: Date.now(), status: res.status, body: JSON.parse(text) as Record<string, unknown>, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') });
      } catch {
        seen.push({ at: Date.now(), status: 0, body: {}, retryAfter: null, type: null });
      }
      if (seen.at(-1)?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const loops = Array.from({ length: clients }, (_, n) => loop(n));
  await during();
  running = false;
  await Promise.all(loops);
  return seen;
}

/** Every 200 has its entry (seq and leaf hash), seq has no gap, and the tree recomputes from the leaves. */
async function expectLedgerIntact(seen: readonly Seen[]): Promise<void> {
  const rows = await stack.prisma.ledgerEntry.findMany({ orderBy: { seq: 'asc' } });
  expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i));
  const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
  for (const s of seen.filter((x) => x.status === 200)) {
    const ref = s.body['ledger_entry'] as { seq: number; leaf_hash: string };
    expect(bySeq.get(ref.seq)?.leafHash).toBe(ref.leaf_hash);
  }
  for (const row of rows) expect(leafHash(JSON.parse(row.entry) as LedgerEntry)).toBe(row.leafHash);
  const auditor = String((await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' })).body['key']);
  const checkpoint = await call<{ tree_size: number; root_hash: string }>(stack, 'POST', '/v1/audit/checkpoints', auditor);
  expect(checkpoint.status).toBe(201);
  const leaves = rows.slice(0, checkpoint.body.tree_size).map((r) => r.leafHash);
  expect(merkleRoot(leaves)).toBe(checkpoint.body.root_hash);
}

/** During the fault only 503 problems with Retry-After, without internals; back within 5 s of the return. */
function expectFailClosedAndBack(seen: readonly Seen[], returnedAt: number): void {
  const errors = seen.filter((s) => s.status !== 200);
  for (const e of errors) {
    expect(e.status, JSON.stringify(e.body)).toBe(503);
    expect(e.type).toContain('application/problem+json');
    expect(Number(e.retryAfter)).toBeGreaterThan(0);
    expect(JSON.stringify(e.body)).not.toMatch(/ECONNREFUSED|ECONNRESET|prisma|ioredis|pg|stack|127\.0\.0\.1|SELECT/i);
  }
  const firstBack = seen.find((s) => s.status === 200 && s.at >= returnedAt);
  expect(firstBack, 'no release succeeded after the dependency returned').toBeDefined();
  expect((firstBack?.at ?? Infinity) - returnedAt).toBeLessThanOrEqual(5_000);
}

/**
 * Load for 1 s, then `fault` (which ends when the dependency is back), then 5 s more: fails closed
 * while it lasts, loses no release, and is back within 5 s.
 */
async function survives(fault: () => Promise<void>, { expect503 }: { expect503: boolean }): Promise<void> {
  let returnedAt = 0;
  const seen = await underLoad(4, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await fault();
    returnedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  });
  expect(seen.filter((s) => s.status === 200).length).toBeGreaterThan(10);
  if (expect503) expect(seen.filter((s) => s.status === 503).length).toBeGreaterThan(0);
  expectFailClosedAndBack(seen, returnedAt);
  await expectLedgerIntact(seen);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults under load', () => {
  it('Postgres unreachable for 3 s: fails closed with 503, loses no release, back within 5 s', async () => {
    await survives(async () => {
      pgProxy.cut();
      await pause(3_000);
      pgProxy.restore();
    }, { expect503: true });
  });

  it('Postgres restarted: fails closed with 503, loses no release, back within 5 s', async () => {
    await survives(async () => {
      await pg.stopServer('fast');
      await pause(1_000);
      await pg.startServer();
    }, { expect503: true });
  });

  it('Redis killed and started again: fails closed with 503, loses no release, back within 5 s', async () => {
    await survives(async () => {
      await redis.stopServer();
      await pause(2_000);
      await redis.startServer();
    }, { expect503: false });
  });
});
