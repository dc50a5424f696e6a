/**
 * SPEC §9 B4 — a bank's limit holds across 2 broker instances at 3x the offered load: the
 * bank-observed rate is never above the limit in any 1 s window, and >= 95 % of the limit is used.
 * Starts its own bank A and two broker processes (from dist/) on their own ports, database and
 * Redis db, drives a few real consents, then offers identity calls at 3x the limit, open loop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CookieBrowser } from '../apps/broker/test/support/browser.js';

const LIMIT = Number(process.env['BENCH_LIMIT_RPS'] ?? 20);
const SECONDS = 10;
const OFFERED = LIMIT * 3;
const DB = 'postgresql://kyc_app@127.0.0.1:5432/kyc_broker_bench';
const OWNER_DB = 'postgresql://kyc_owner@127.0.0.1:5432/kyc_broker_bench';
const BROKERS = ['http://127.0.0.1:23000', 'http://127.0.0.1:23001'];
const BANK = 'http://127.0.0.1:24001';
const REDIRECT = 'http://127.0.0.1:5555/callback';

const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: DB,
  MIGRATION_DATABASE_URL: OWNER_DB,
  BANK_A_WITNESS_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'kyc-bench-witness-')),
  REDIS_URL: 'redis://127.0.0.1:6379/14',
  BROKER_PUBLIC_URL: BROKERS[0],
  BANK_A_PORT: '24001',
  BANK_B_PORT: '24002',
  BANK_CONTROL: '1',
  ENTERPRISE_RATE_LIMIT_RPS: '100000',
      // One load generator is one client address and a few keys: the per-address and per-key limits would shed it.
      PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
      STAFF_RATE_LIMIT_RPS: '100000',
  BANK_RATE_WINDOW_MARGIN_MS: process.env['BENCH_MARGIN_MS'] ?? '30',
};

const children: ChildProcess[] = [];
const start = (file: string, extra: Record<string, string> = {}): void => {
  children.push(spawn('node', [file], { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] }));
};

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function prepareDatabase(): Promise<{ enterprise_key: string; operator_key: string }> {
  // Roles, a fresh database, migrations as the owner (scripts/database.mjs), then the seed as the broker's role.
  const prepared = spawnSync('node', ['scripts/database.mjs', '--fresh', '--quiet'], { env, encoding: 'utf8' });
  if (prepared.status !== 0) throw new Error(prepared.stderr);
  const seed = spawnSync('node', ['dist/prisma/seed-main.js', '--demo'], { env, encoding: 'utf8' });
  if (seed.status !== 0) throw new Error(seed.stderr);
  return JSON.parse(seed.stdout.trim().split('\n').pop() ?? '{}') as { enterprise_key: string; operator_key: string };
}

const api = (base: string, key: string, method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    redirect: 'manual',
  });

async function authorize(key: string, username: string): Promise<string> {
  const v = (await (await api(BROKERS[0] ?? '', key, 'POST', '/v1/verifications', { bank_id: 'bank-a', redirect_uri: REDIRECT, claims: ['birthdate', 'address'], purpose: 'account_opening' })).json()) as { id: string; authorization_url: string };
  const browser = new CookieBrowser();
  const toBank = (await browser.get(v.authorization_url)).headers.get('location') ?? '';
  const login = await browser.follow(toBank);
  const afterLogin = await browser.submit(login.url, await login.response.text(), 'login', { username, password: 'password' });
  const consent = await browser.follow(new URL(afterLogin.headers.get('location') ?? '', login.url).toString());
  const afterConsent = await browser.submit(consent.url, await consent.response.text(), 'consent', { decision: 'approve' });
  const callback = await browser.follow(new URL(afterConsent.headers.get('location') ?? '', consent.url).toString(), `${BROKERS[0] ?? ''}/v1/oauth/callback`);
  await browser.get(callback.url);
  return v.id;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function main(): Promise<void> {
  const demo = await prepareDatabase();
  start('dist/apps/mock-bank-a/src/main.js');
  await waitFor(`${BANK}/.well-known/openid-configuration`);
  start('dist/apps/broker/src/main.js', { BROKER_PORT: '23000', BROKER_WORKERS: '1', NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=4' });
  start('dist/apps/broker/src/main.js', { BROKER_PORT: '23001', BROKER_WORKERS: '1', NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=4' });
  await Promise.all(BROKERS.map((b) => waitFor(`${b}/healthz`)));
  const customers = ((await (await fetch(`${BANK}/__control/customers?limit=30`)).json()) as { data: { username: string; record: { kycStatus?: string } }[] }).data
    .filter((c) => c.record.kycStatus === 'VERIFIED')
    .slice(0, 6);
  const ids: string[] = [];
  for (const c of customers) ids.push(await authorize(demo.enterprise_key, c.username));
  await api(BROKERS[0] ?? '', demo.operator_key, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: LIMIT, max_concurrency: 64 });
  await fetch(`${BANK}/__control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reset: true, rate_limit_rps: LIMIT }) });

  const outcomes: { status: number; ms: number }[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < OFFERED * SECONDS; i++) {
    const due = t0 + (i * 1000) / OFFERED;
    const delay = due - performance.now();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const sent = performance.now();
    pending.push(
      api(BROKERS[i % 2] ?? '', demo.enterprise_key, 'GET', `/v1/verifications/${ids[i % ids.length] ?? ''}/identity`).then(async (res) => {
        await res.arrayBuffer();
        outcomes.push({ status: res.status, ms: performance.now() - sent });
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  const stats = (await (await fetch(`${BANK}/__control/stats`)).json()) as { served_total: number; rejected_rate_limited_total: number; max_served_in_any_second: number };
  const ok = outcomes.filter((o) => o.status === 200);
  const shed = outcomes.filter((o) => o.status === 503).length;
  const other = outcomes.length - ok.length - shed;
  const latencies = ok.map((o) => o.ms).sort((a, b) => a - b);
  const utilization = stats.served_total / (LIMIT * elapsed);
  const pass = stats.max_served_in_any_second <= LIMIT && stats.rejected_rate_limited_total === 0 && utilization >= 0.95 && other === 0;
  const figures = {
    bench: 'B4', broker_instances: 2, limit_rps: LIMIT, offered_rps: OFFERED, seconds: Number(elapsed.toFixed(2)),
    bank_max_served_in_any_second: stats.max_served_in_any_second, bank_rejected_rate_limited: stats.rejected_rate_limited_total,
    bank_served_total: stats.served_total, utilization: Number(utilization.toFixed(3)),
    answered_200: ok.length, shed_503_bank_busy: shed, other_answers: other,
    served_latency_ms_p50: Number(percentile(latencies, 0.5).toFixed(1)), served_latency_ms_p99: Number(percentile(latencies, 0.99).toFixed(1)),
    pass,
  };
  console.log(JSON.stringify(figures));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/b4-flow-limit.json', `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`B4 per-bank limit across instances: ${pass ? 'PASS' : 'FAIL'} (never above ${LIMIT}/s in any second, >= 95 % used)`);
  if (!pass) process.exitCode = 1;
}

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
}
