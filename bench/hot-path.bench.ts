/**
 * SPEC §9 B1 — the identity release hot path, `GET /v1/verifications/{id}/identity`, against two
 * baselines measured in the same run: (a) a direct call to bank A's KYC API and (b) nginx as a
 * reverse proxy in front of the same bank (keepalive upstream, Host kept). The load generator runs in
 * its own process (bench/load/load-worker.ts) and makes a fresh DPoP proof for every bank request.
 * Closed loop, 64 clients: throughput of 200s, broker / nginx >= 0.25. Open loop at 500 requests/s:
 * broker-added latency (broker minus direct) p50 <= 2 ms, p99 <= 10 ms. CPU and RSS of each process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BankOAuthClient, newFlowSecrets } from '../libs/bank-adapters/src/index.js';
import { BankBrowser } from '../libs/mock-bank-kit/src/index.js';
import type { LoadResult, LoadSpec } from './load/load-worker.js';
import { childPids, ProcSampler, type ProcessUsage } from './support/proc-sampler.js';
import { BenchStack, round, waitFor, writeResult } from './support/stack.js';

const SECONDS = Number(process.env['BENCH_B1_SECONDS'] ?? 10);
const WARMUP_SECONDS = Number(process.env['BENCH_B1_WARMUP_SECONDS'] ?? 3);
const CLIENTS = 64;
const RATE = Number(process.env['BENCH_B1_RATE'] ?? 500);
const POOL = 32;
const NGINX_PORT = 24180;
/**
 * Broker worker processes. On a 2-core machine that also runs the bank, nginx, Postgres, Redis and
 * the load generator, a second worker measured lower (docs/performance.md), so B1 runs one unless told.
 */
const BROKER_WORKERS = process.env['BENCH_B1_BROKER_WORKERS'] ?? '1';
const KYC_PATH = '/api/kyc/v1/customer';
const BAR = { throughput_ratio: 0.25, added_p50_ms: 2, added_p99_ms: 10 };

const stack = new BenchStack({ database: 'kyc_broker_bench_b1', redisDb: 11, brokerPort: 23100, bankPort: 24101 });
const nginxOrigin = `http://127.0.0.1:${NGINX_PORT}`;

const readJwk = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join('.keys', file), 'utf8')) as Record<string, unknown>;

/** A bank access token got the way the broker gets one (PAR, login, consent, code exchange with DPoP). */
async function bankAccessToken(username: string, dpopJwk: Record<string, unknown>): Promise<string> {
  const client = new BankOAuthClient({
    clientId: 'kyc-broker',
    redirectUri: `${stack.broker}/v1/oauth/callback`,
    timeoutMs: 10_000,
    keys: { clientAuthJwk: readJwk('broker-client-auth.jwk.json'), dpopJwks: { bench: dpopJwk } },
  });
  const secrets = newFlowSecrets();
  const { url } = await client.pushAuthorization(stack.bank, 'bench', {
    scope: 'openid kyc:read',
    ...secrets,
    authorizationDetails: [{ type: 'kyc_release', enterprise: { id: 'ent_bench', name: 'B1 baseline' }, purpose: 'account_opening', claims: ['birthdate', 'address'] }],
  });
  const callback = await new BankBrowser().authorize(url, { username, password: 'password', decision: 'approve' });
  return (await client.completeAuthorization(stack.bank, 'bench', callback, secrets)).accessToken;
}

/** nginx with its own config, prefix and pid file, in the foreground: one worker, like the one broker process. */
async function startNginx(bankPort: string): Promise<ChildProcess> {
  const ensured = spawnSync('node', ['scripts/ensure-nginx.mjs'], { stdio: 'inherit' });
  if (ensured.status !== 0) throw new Error('nginx is not installed and could not be installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'kyc-bench-nginx-'));
  const conf = `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream bank { server 127.0.0.1:${bankPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${NGINX_PORT};
    location / {
      proxy_pass http://bank;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const nginx = stack.spawn('/usr/sbin/nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir]);
  await waitFor(`${nginxOrigin}/.well-known/openid-configuration`);
  return nginx;
}

interface Phase {
  readonly load: LoadResult;
  readonly processes: Record<string, ProcessUsage>;
}

/** Runs the load generator in its own process while sampling CPU and RSS of the processes named. */
async function phase(spec: LoadSpec, pids: Record<string, number[]>): Promise<Phase> {
  const worker = spawn('node', ['dist/bench/load/load-worker.js'], { env: { ...process.env, LOAD_SPEC: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const sampler = new ProcSampler({ ...pids, load_generator: [worker.pid ?? 0] });
  sampler.start();
  let out = '';
  worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => worker.on('close', resolve));
  const processes = sampler.stop();
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return { load: JSON.parse(out) as LoadResult, processes };
}

const statusLine = (counts: Record<string, number>): string => Object.entries(counts).map(([s, n]) => `${s}: ${n}`).join(', ') || 'none';

async function main(): Promise<void> {
  const demo = stack.prepareDatabase();
  const bank = await stack.startBank();
  const broker = await stack.startBroker({ BROKER_WORKERS });
  const nginx = await startNginx(stack.env['BANK_A_PORT'] ?? '');
  const limits = await stack.api(demo.operator_key, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 100_000, max_concurrency: 10_000 });
  if (!limits.ok) throw new Error(`raising bank-a's limits answered ${limits.status}`);

  const customers = await stack.verifiedCustomers(POOL);
  const ids: string[] = [];
  for (const username of customers) ids.push(await stack.authorize(demo.enterprise_key, username));
  const dpopJwk = readJwk('dpop-bank-a.jwk.json');
  const accessToken = await bankAccessToken(customers[0] ?? '', dpopJwk);

  const pids = { bank: [bank.pid ?? 0], nginx: [nginx.pid ?? 0, ...childPids(nginx.pid ?? 0)], broker: [broker.pid ?? 0, ...childPids(broker.pid ?? 0)] };
  const dpop = { accessToken, privateJwk: dpopJwk };
  const targets = {
    direct: { origin: stack.bank, paths: [KYC_PATH], dpop },
    nginx: { origin: nginxOrigin, paths: [KYC_PATH], dpop },
    broker: { origin: stack.broker, paths: ids.map((id) => `/v1/verifications/${id}/identity`), authorization: `Bearer ${demo.enterprise_key}` },
  } satisfies Record<string, Omit<LoadSpec, 'mode' | 'connections' | 'seconds'>>;

  const closed: Record<string, Phase> = {};
  const open: Record<string, Phase> = {};
  for (const [name, target] of Object.entries(targets)) {
    if (WARMUP_SECONDS > 0) await phase({ ...target, mode: 'closed', connections: CLIENTS, seconds: WARMUP_SECONDS }, pids);
    closed[name] = await phase({ ...target, mode: 'closed', connections: CLIENTS, seconds: SECONDS }, pids);
  }
  for (const name of ['direct', 'broker'] as const) {
    open[name] = await phase({ ...targets[name], mode: 'open', rate: RATE, connections: 256, seconds: SECONDS }, pids);
  }

  const rps = (name: string): number => closed[name]?.load.ok_per_second ?? 0;
  const ratio = rps('broker') / Math.max(rps('nginx'), 1);
  const lat = (name: string): LoadResult['latency_ms'] => open[name]?.load.latency_ms ?? { p50: 0, p90: 0, p99: 0, max: 0 };
  const addedP50 = lat('broker').p50 - lat('direct').p50;
  const addedP99 = lat('broker').p99 - lat('direct').p99;
  const openOk = (open['broker']?.load.status_counts['200'] ?? 0) === open['broker']?.load.sent;
  const pass = ratio >= BAR.throughput_ratio && addedP50 <= BAR.added_p50_ms && addedP99 <= BAR.added_p99_ms && openOk;
  const figures = {
    bench: 'B1',
    seconds_per_phase: SECONDS,
    warmup_seconds: WARMUP_SECONDS,
    clients: CLIENTS,
    open_loop_rate: RATE,
    broker_processes: pids.broker.length > 1 ? pids.broker.length - 1 : 1,
    nginx_worker_processes: 1,
    verification_pool: ids.length,
    closed_loop: Object.fromEntries(Object.entries(closed).map(([k, v]) => [k, v.load])),
    open_loop: Object.fromEntries(Object.entries(open).map(([k, v]) => [k, v.load])),
    processes: {
      closed_loop: Object.fromEntries(Object.entries(closed).map(([k, v]) => [k, v.processes])),
      open_loop: Object.fromEntries(Object.entries(open).map(([k, v]) => [k, v.processes])),
    },
    throughput_ratio_to_nginx: round(ratio, 3),
    throughput_ratio_to_direct: round(rps('broker') / Math.max(rps('direct'), 1), 3),
    broker_added_latency_ms: { p50: round(addedP50, 3), p99: round(addedP99, 3) },
    bar: BAR,
    pass,
  };

  const closedRows = Object.entries(closed).map(([k, v]) => `| ${k} | ${v.load.ok_per_second} | ${v.load.latency_ms.p50} | ${v.load.latency_ms.p99} | ${statusLine(v.load.status_counts)}${v.load.errors ? `, errors: ${v.load.errors}` : ''} |`);
  const openRows = Object.entries(open).map(([k, v]) => `| ${k} | ${v.load.sent} | ${v.load.latency_ms.p50} | ${v.load.latency_ms.p99} | ${v.load.send_lag_ms_p99 ?? ''} | ${statusLine(v.load.status_counts)}${v.load.errors ? `, errors: ${v.load.errors}` : ''} |`);
  const usageRows = [...Object.entries(closed).map(([k, v]) => [`closed ${k}`, v] as const), ...Object.entries(open).map(([k, v]) => [`open ${k}`, v] as const)].map(
    ([k, v]) => `| ${k} | ${Object.entries(v.processes).map(([p, u]) => `${p} ${u.cpu_percent} % / ${u.peak_rss_mb} MB`).join(' · ')} |`,
  );
  const markdown = [
    '# B1 — identity release hot path (SPEC §9)',
    '',
    `Same run, same machine; load generator in its own process (autocannon closed loop, fixed-schedule open loop), a fresh DPoP proof per bank request. ${figures.broker_processes} broker worker process(es) (BENCH_B1_BROKER_WORKERS), nginx with one worker. ${SECONDS} s per phase after ${WARMUP_SECONDS} s warm-up; only 200s count.`,
    '',
    `## Closed loop, ${CLIENTS} clients`,
    '',
    '| target | 200s per second | p50 ms | p99 ms | status counts |',
    '|---|---:|---:|---:|---|',
    ...closedRows,
    '',
    `Broker / nginx: **${figures.throughput_ratio_to_nginx}** (bar ≥ ${BAR.throughput_ratio}); broker / direct: ${figures.throughput_ratio_to_direct}.`,
    '',
    `## Open loop, ${RATE} requests/s`,
    '',
    '| target | sent | p50 ms | p99 ms | send lag p99 ms | status counts |',
    '|---|---:|---:|---:|---:|---|',
    ...openRows,
    '',
    `Broker-added latency: p50 **${figures.broker_added_latency_ms.p50} ms** (bar ≤ ${BAR.added_p50_ms}), p99 **${figures.broker_added_latency_ms.p99} ms** (bar ≤ ${BAR.added_p99_ms}).`,
    '',
    '## CPU (100 % = one core) and peak RSS per process',
    '',
    '| phase | processes |',
    '|---|---|',
    ...usageRows,
    '',
    `Result: **${pass ? 'PASS' : 'FAIL'}**.`,
  ];
  writeResult('b1-hot-path', figures, markdown);
  console.log(markdown.join('\n'));
  process.exitCode = pass ? 0 : 1;
}

try {
  await main();
} finally {
  stack.stop();
}
