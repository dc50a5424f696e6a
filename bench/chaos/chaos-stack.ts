/**
 * The chaos run's stack, all of its own: a private PostgreSQL (behind a TCP fault proxy) and Redis,
 * both mock banks and two broker processes from dist/, a load balancer in front of the brokers, and
 * a webhook receiver that checks every delivery's signature. Nothing of the machine's shared
 * servers is touched, so the run may restart and cut whatever it likes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { CookieBrowser } from '../../apps/broker/test/support/browser.js';
import { FaultProxy, PrivatePostgres, PrivateRedis } from '../../apps/broker/test/support/faults.js';
import { waitFor } from '../support/stack.js';
import { Balancer } from './balancer.js';

export const PORTS = {
  postgres: 25432,
  postgresProxy: 25433,
  redis: 26379,
  balancer: 23000,
  brokers: [23001, 23002],
  /** A third broker outside the balancer, for the outbox crash. */
  crashing: 23003,
  bankA: 24001,
  /** Bank B's public address: a fault proxy in front of the port it listens on. */
  bankB: 24002,
  bankBListen: 24012,
  hooks: 25555,
} as const;

const DATABASE = 'kyc_chaos';
export const REDIRECT = 'http://127.0.0.1:5555/callback';

export type BankId = 'bank-a' | 'bank-b';

export interface DemoKeys {
  readonly enterprise_id: string;
  readonly enterprise_key: string;
  readonly operator_key: string;
  readonly auditor_key: string;
  /** What an auditor pins for `npm run audit:verify`. */
  readonly ledger_log_key: string;
  readonly ledger_witness_keys: string[];
}

/** One webhook delivery as the receiver took it. */
export interface Delivery {
  readonly id: string;
  readonly type: string;
  readonly verificationId: string;
  readonly signatureValid: boolean;
}

/** Receives the broker's webhooks, checks `Broker-Signature` (SPEC §4) and keeps every event id. */
export class HookReceiver {
  readonly deliveries: Delivery[] = [];
  secret = '';
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as { id: string; type: string; data: { id: string } };
        this.deliveries.push({ id: event.id, type: event.type, verificationId: event.data.id, signatureValid: this.verify(String(req.headers['broker-signature'] ?? ''), body) });
        res.writeHead(204).end();
      });
    });
  }

  static async start(port: number): Promise<HookReceiver> {
    const receiver = new HookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  received(): Set<string> {
    return new Set(this.deliveries.map((d) => d.id));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** `t=<unix>,v1=<hex hmac-sha256 of "<t>.<body>">` (one v1 per secret in use). */
  private verify(header: string, body: string): boolean {
    const parts = header.split(',').map((p) => p.split('=') as [string, string]);
    const t = parts.find(([k]) => k === 't')?.[1];
    if (t === undefined || this.secret === '') return false;
    const expected = createHmac('sha256', this.secret).update(`${t}.${body}`).digest();
    return parts.some(([k, v]) => k === 'v1' && v.length === expected.length * 2 && timingSafeEqual(Buffer.from(v, 'hex'), expected));
  }
}

export class ChaosStack {
  readonly url = `http://127.0.0.1:${PORTS.balancer}`;
  readonly bankUrl: Record<BankId, string> = { 'bank-a': `http://127.0.0.1:${PORTS.bankA}`, 'bank-b': `http://127.0.0.1:${PORTS.bankB}` };
  readonly brokers = new Map<number, ChildProcess>();
  readonly banks = new Map<BankId, ChildProcess>();
  keys!: DemoKeys;
  postgres!: PrivatePostgres;
  postgresProxy!: FaultProxy;
  /** In front of bank B: `cut()` makes the bank unreachable (down) without losing its sessions. */
  bankProxy!: FaultProxy;
  redis!: PrivateRedis;
  balancer!: Balancer;
  hooks!: HookReceiver;
  /** The run's own database, as its owner (the checks read the ledger directly). */
  owner!: pg.Pool;
  private readonly witnessDir = mkdtempSync(path.join(tmpdir(), 'kyc-chaos-witness-'));

  readonly env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: `postgresql://kyc_app@127.0.0.1:${PORTS.postgresProxy}/${DATABASE}`,
    MIGRATION_DATABASE_URL: `postgresql://kyc_owner@127.0.0.1:${PORTS.postgres}/${DATABASE}`,
    DATABASE_ADMIN_URL: `postgresql://postgres@127.0.0.1:${PORTS.postgres}/postgres`,
    REDIS_URL: `redis://127.0.0.1:${PORTS.redis}`,
    BROKER_PUBLIC_URL: this.url,
    BROKER_WORKERS: '1',
    BANK_A_PORT: String(PORTS.bankA),
    BANK_B_PORT: String(PORTS.bankBListen),
    BANK_B_ISSUER: `http://127.0.0.1:${PORTS.bankB}`,
    BANK_CONTROL: '1',
    BANK_A_WITNESS_STATE_DIR: path.join(this.witnessDir, 'a'),
    BANK_B_WITNESS_STATE_DIR: path.join(this.witnessDir, 'b'),
    WEBHOOK_ALLOW_LOOPBACK: '1',
    WEBHOOK_BACKOFF_MS: '200',
    WEBHOOK_ATTEMPTS: '30',
    OUTBOX_RELAY_INTERVAL_MS: '1000',
    ENTERPRISE_RATE_LIMIT_RPS: '100000',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
    AUTHORIZE_RATE_LIMIT_PER_MINUTE: '10000',
    STAFF_RATE_LIMIT_RPS: '100000',
    BANK_TIMEOUT_MS: '2000',
    CIRCUIT_COOLDOWN_MS: '1000',
    SHUTDOWN_GRACE_MS: '5000',
    CHECKPOINT_INTERVAL_MS: '5000',
  };

  async start(): Promise<void> {
    this.postgres = await PrivatePostgres.start(PORTS.postgres);
    this.postgresProxy = await FaultProxy.start(PORTS.postgresProxy, { host: '127.0.0.1', port: PORTS.postgres });
    this.redis = await PrivateRedis.start(PORTS.redis);
    // Not spawnSync: the database proxy runs on this process's event loop.
    await run('node', ['scripts/database.mjs', '--fresh', '--quiet'], this.env);
    const seeded = await run('node', ['dist/prisma/seed-main.js', '--demo'], this.env);
    this.keys = JSON.parse(seeded.trim().split('\n').pop() ?? '{}') as DemoKeys;
    this.owner = new pg.Pool({ connectionString: this.env['MIGRATION_DATABASE_URL'], max: 2 });
    this.owner.on('error', () => undefined);
    this.hooks = await HookReceiver.start(PORTS.hooks);
    this.bankProxy = await FaultProxy.start(PORTS.bankB, { host: '127.0.0.1', port: PORTS.bankBListen });
    await this.startBank('bank-a');
    await this.startBank('bank-b');
    for (const port of PORTS.brokers) await this.startBroker(port);
    this.balancer = await Balancer.start(PORTS.balancer, PORTS.brokers);
    await this.configureWebhooks();
  }

  async startBank(bank: BankId): Promise<void> {
    const child = spawn('node', [`dist/apps/mock-${bank}/src/main.js`], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'] });
    this.banks.set(bank, child);
    await waitFor(`${this.bankUrl[bank]}/.well-known/openid-configuration`);
  }

  async killBank(bank: BankId): Promise<void> {
    await kill(this.banks.get(bank), 'SIGKILL');
  }

  /** A broker process as `npm start` runs one instance; answers once its /readyz is green. */
  async startBroker(port: number, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
    const child = this.spawnBroker(port, extraEnv);
    await waitForReady(`http://127.0.0.1:${port}/readyz`, child);
    return child;
  }

  /** A broker process, not waited for (one that is meant to die may do so before it is seen ready). */
  spawnBroker(port: number, extraEnv: Record<string, string> = {}): ChildProcess {
    const child = spawn('node', ['--max-old-space-size=256', 'dist/apps/broker/src/main.js'], {
      env: { ...this.env, BROKER_PORT: String(port), ...extraEnv },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.brokers.set(port, child);
    return child;
  }

  async killBroker(port: number, signal: NodeJS.Signals): Promise<void> {
    await kill(this.brokers.get(port), signal);
  }

  /** Sets a bank's fault injection; throws unless the bank took it. */
  async control(bank: BankId, settings: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.bankUrl[bank]}/__control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${bank} /__control answered ${res.status}: ${body}`);
  }

  api(key: string, method: string, route: string, body?: unknown, base = this.url): Promise<Response> {
    return fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
  }

  async verifiedCustomers(bank: BankId, count: number): Promise<string[]> {
    const res = await fetch(`${this.bankUrl[bank]}/__control/customers?limit=500`);
    const { data } = (await res.json()) as { data: { username: string; record: Record<string, unknown> }[] };
    // Bank A says VERIFIED; bank B answers resultCode 0000 for a customer it releases.
    const verified = data.filter((c) => (bank === 'bank-a' ? c.record['kycStatus'] === 'VERIFIED' : (c.record['header'] as { resultCode?: string } | undefined)?.resultCode === '0000'));
    return verified.slice(0, count).map((c) => c.username);
  }

  /** Creates a verification and consents at the bank; answers its id once the callback committed. */
  async authorize(bank: BankId, username: string): Promise<string> {
    const created = await this.api(this.keys.enterprise_key, 'POST', '/v1/verifications', { bank_id: bank, redirect_uri: REDIRECT, claims: ['birthdate', 'address'], purpose: 'account_opening' });
    if (created.status !== 201) throw new Error(`creating a verification answered ${created.status}`);
    const v = (await created.json()) as { id: string; authorization_url: string };
    const browser = new CookieBrowser();
    const start = await browser.get(v.authorization_url);
    if (start.status !== 302) throw new Error(`authorize answered ${start.status}`);
    const login = await browser.follow(start.headers.get('location') ?? '');
    const afterLogin = await browser.submit(login.url, await login.response.text(), 'login', { username, password: 'password' });
    const consent = await browser.follow(new URL(afterLogin.headers.get('location') ?? '', login.url).toString());
    const afterConsent = await browser.submit(consent.url, await consent.response.text(), 'consent', { decision: 'approve' });
    const callback = await browser.follow(new URL(afterConsent.headers.get('location') ?? '', consent.url).toString(), `${this.url}/v1/oauth/callback`);
    const done = await browser.get(callback.url);
    if (done.status !== 302) throw new Error(`the broker's callback answered ${done.status}`);
    const location = done.headers.get('location') ?? '';
    if (new URL(location).searchParams.has('error')) throw new Error(`the callback ended in ${location}`);
    return v.id;
  }

  async stop(): Promise<void> {
    for (const child of [...this.brokers.values(), ...this.banks.values()]) await kill(child, 'SIGKILL');
    await this.balancer?.close();
    await this.hooks?.close();
    await this.owner?.end().catch(() => undefined);
    await this.postgresProxy?.close();
    await this.bankProxy?.close();
    await this.redis?.stopServer();
    await this.postgres?.destroy();
    rmSync(this.witnessDir, { recursive: true, force: true });
  }

  /** The demo enterprise's webhooks go to the receiver; a rotation tells the secret (once). */
  private async configureWebhooks(): Promise<void> {
    const id = this.keys.enterprise_id;
    const patched = await this.api(this.keys.operator_key, 'PATCH', `/v1/admin/enterprises/${id}`, { webhook_url: `http://127.0.0.1:${PORTS.hooks}/hooks` });
    if (patched.status !== 200) throw new Error(`setting the webhook URL answered ${patched.status}: ${await patched.text()}`);
    const rotated = await this.api(this.keys.operator_key, 'POST', `/v1/admin/enterprises/${id}/webhook-secret/rotate`);
    if (rotated.status !== 201) throw new Error(`rotating the webhook secret answered ${rotated.status}`);
    this.hooks.secret = ((await rotated.json()) as { webhook_secret: string }).webhook_secret;
  }
}

/** Runs a command to its end without blocking the event loop; answers its stdout. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${stdout}\n${stderr}`);
  return stdout;
}

async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    if (await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not turn ready`);
}
