/**
 * What the end-to-end benchmarks share: bank A and broker processes started from dist/ on their own
 * ports, with their own database (scripts/database.mjs --fresh, then the demo seed) and Redis db.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CookieBrowser } from '../../apps/broker/test/support/browser.js';

export interface StackOptions {
  readonly database: string;
  readonly redisDb: number;
  readonly brokerPort: number;
  readonly bankPort: number;
}

export interface DemoKeys {
  readonly enterprise_key: string;
  readonly operator_key: string;
}

export const REDIRECT = 'http://127.0.0.1:5555/callback';

export class BenchStack {
  readonly broker: string;
  readonly bank: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly children: ChildProcess[] = [];

  constructor(options: StackOptions) {
    this.broker = `http://127.0.0.1:${options.brokerPort}`;
    this.bank = `http://127.0.0.1:${options.bankPort}`;
    this.env = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `postgresql://kyc_app@127.0.0.1:5432/${options.database}`,
      MIGRATION_DATABASE_URL: `postgresql://kyc_owner@127.0.0.1:5432/${options.database}`,
      BANK_A_WITNESS_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'kyc-bench-witness-')),
      REDIS_URL: `redis://127.0.0.1:6379/${options.redisDb}`,
      BROKER_PUBLIC_URL: this.broker,
      BROKER_PORT: String(options.brokerPort),
      BANK_A_PORT: String(options.bankPort),
      BANK_B_PORT: String(options.bankPort + 1),
      BANK_CONTROL: '1',
      ENTERPRISE_RATE_LIMIT_RPS: '100000',
      // One load generator is one client address and a few keys: the per-address and per-key limits would shed it.
      PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
      STAFF_RATE_LIMIT_RPS: '100000',
      AUTH_FAILURE_LIMIT_PER_MINUTE: '100000',
    };
  }

  /** A fresh database with migrations (as the owner) and the demo seed (as the broker's role). */
  prepareDatabase(): DemoKeys {
    const prepared = spawnSync('node', ['scripts/database.mjs', '--fresh', '--quiet'], { env: this.env, encoding: 'utf8' });
    if (prepared.status !== 0) throw new Error(prepared.stderr);
    const seed = spawnSync('node', ['dist/prisma/seed-main.js', '--demo'], { env: this.env, encoding: 'utf8' });
    if (seed.status !== 0) throw new Error(seed.stderr);
    return JSON.parse(seed.stdout.trim().split('\n').pop() ?? '{}') as DemoKeys;
  }

  spawn(command: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
    const child = spawn(command, args, { env: { ...this.env, ...extraEnv }, stdio: ['ignore', 'ignore', 'inherit'] });
    this.children.push(child);
    return child;
  }

  async startBank(): Promise<ChildProcess> {
    const child = this.spawn('node', ['dist/apps/mock-bank-a/src/main.js']);
    await waitFor(`${this.bank}/.well-known/openid-configuration`);
    return child;
  }

  /**
   * The broker as `npm start` runs it (bounded heap, one worker per core unless BROKER_WORKERS says);
   * `BENCH_BROKER_NODE_ARGS` adds Node flags (e.g. `--import ./bench/support/cpu-profile.mjs`).
   */
  async startBroker(extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
    const extra = (process.env['BENCH_BROKER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const child = this.spawn('node', ['--max-old-space-size=192', '--max-semi-space-size=4', ...extra, 'dist/apps/broker/src/main.js'], extraEnv);
    await waitFor(`${this.broker}/healthz`);
    return child;
  }

  /** Usernames of customers whose KYC the bank reports as verified. */
  async verifiedCustomers(count: number): Promise<string[]> {
    const res = await fetch(`${this.bank}/__control/customers?limit=500`);
    const { data } = (await res.json()) as { data: { username: string; record: { kycStatus?: string } }[] };
    return data.filter((c) => c.record.kycStatus === 'VERIFIED').slice(0, count).map((c) => c.username);
  }

  api(key: string, method: string, route: string, body?: unknown): Promise<Response> {
    return fetch(`${this.broker}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'manual',
    });
  }

  /** One real consent through the broker; the id of the now authorized verification. */
  async authorize(key: string, username: string): Promise<string> {
    const created = await this.api(key, 'POST', '/v1/verifications', newVerification());
    const v = (await created.json()) as { id: string; authorization_url: string };
    const browser = new CookieBrowser();
    const toBank = (await browser.get(v.authorization_url)).headers.get('location') ?? '';
    const login = await browser.follow(toBank);
    const afterLogin = await browser.submit(login.url, await login.response.text(), 'login', { username, password: 'password' });
    const consent = await browser.follow(new URL(afterLogin.headers.get('location') ?? '', login.url).toString());
    const afterConsent = await browser.submit(consent.url, await consent.response.text(), 'consent', { decision: 'approve' });
    const callback = await browser.follow(new URL(afterConsent.headers.get('location') ?? '', consent.url).toString(), `${this.broker}/v1/oauth/callback`);
    const done = await browser.get(callback.url);
    if (done.status >= 400) throw new Error(`the broker's callback answered ${done.status}`);
    return v.id;
  }

  stop(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}

export const newVerification = (): Record<string, unknown> => ({
  bank_id: 'bank-a',
  redirect_uri: REDIRECT,
  claims: ['birthdate', 'address'],
  purpose: 'account_opening',
});

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export function writeResult(name: string, figures: unknown, markdown: string[]): void {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(`bench/results/${name}.md`, `${markdown.join('\n')}\n`);
}
