/**
 * SPEC §9 B5 — 200 concurrent consent flows (POST verification → authorize → bank PAR, login,
 * consent → broker callback with the token exchange → enterprise redirect); p95 of a flow's summed
 * request latencies (client think time excluded) <= 150 ms. Starts its own bank A and one broker.
 */
import { CookieBrowser } from '../apps/broker/test/support/browser.js';
import { ProcSampler } from './support/proc-sampler.js';
import { BenchStack, newVerification, percentile, REDIRECT, round, writeResult } from './support/stack.js';

const FLOWS = Number(process.env['BENCH_B5_FLOWS'] ?? 200);
const BAR_P95_MS = 150;

const stack = new BenchStack({ database: 'kyc_broker_bench_b5', redisDb: 10, brokerPort: 23200, bankPort: 24201 });

/** A CookieBrowser that times each request up to its whole body, and adds the times up. */
class TimedBrowser extends CookieBrowser {
  spentMs = 0;
  requests = 0;

  override get(url: string): Promise<Response> {
    return this.timed(() => super.get(url));
  }

  override post(url: string, form: Record<string, string>): Promise<Response> {
    return this.timed(() => super.post(url, form));
  }

  async timed(send: () => Promise<Response>): Promise<Response> {
    const t0 = performance.now();
    const response = await send();
    const body = await response.arrayBuffer();
    this.spentMs += performance.now() - t0;
    this.requests++;
    const empty = response.status === 204 || response.status === 304;
    return new Response(empty ? null : body, { status: response.status, headers: response.headers });
  }
}

interface FlowOutcome {
  readonly ok: boolean;
  readonly ms: number;
  readonly requests: number;
  readonly error?: string;
}

/** The page's HTML, or an error that says what the bank showed instead of the form. */
async function page(response: Response, form: string): Promise<string> {
  const html = await response.text();
  if (html.includes(`id="${form}"`)) return html;
  const text = html.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  throw new Error(`expected form#${form}, got HTTP ${response.status}: ${text.slice(0, 120)}`);
}

async function flow(key: string, username: string): Promise<FlowOutcome> {
  const browser = new TimedBrowser();
  try {
    const created = await browser.timed(() => stack.api(key, 'POST', '/v1/verifications', newVerification()));
    const v = JSON.parse(await created.text()) as { authorization_url: string };
    const toBank = (await browser.get(v.authorization_url)).headers.get('location') ?? '';
    const login = await browser.follow(toBank);
    const afterLogin = await browser.submit(login.url, await page(login.response, 'login'), 'login', { username, password: 'password' });
    const consent = await browser.follow(new URL(afterLogin.headers.get('location') ?? '', login.url).toString());
    const afterConsent = await browser.submit(consent.url, await page(consent.response, 'consent'), 'consent', { decision: 'approve' });
    const callback = await browser.follow(new URL(afterConsent.headers.get('location') ?? '', consent.url).toString(), `${stack.broker}/v1/oauth/callback`);
    const done = await browser.get(callback.url);
    const ok = done.status >= 300 && done.status < 400 && (done.headers.get('location') ?? '').startsWith(REDIRECT);
    return { ok, ms: browser.spentMs, requests: browser.requests, ...(ok ? {} : { error: `callback answered ${done.status}` }) };
  } catch (err) {
    return { ok: false, ms: browser.spentMs, requests: browser.requests, error: err instanceof Error ? err.message : String(err) };
  }
}

async function main(): Promise<void> {
  const demo = stack.prepareDatabase();
  await stack.startBank();
  const broker = await stack.startBroker();
  const limits = await stack.api(demo.operator_key, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 100_000, max_concurrency: 10_000 });
  if (!limits.ok) throw new Error(`raising bank-a's limits answered ${limits.status}`);
  const customers = await stack.verifiedCustomers(FLOWS);
  // One warm-up flow, so the first flows do not pay for the broker's and the bank's cold start alone.
  await flow(demo.enterprise_key, customers[0] ?? '');

  const sampler = new ProcSampler({ broker: [broker.pid ?? 0] });
  sampler.start();
  const t0 = performance.now();
  const outcomes = await Promise.all(Array.from({ length: FLOWS }, (_, i) => flow(demo.enterprise_key, customers[i % customers.length] ?? '')));
  const wallSeconds = (performance.now() - t0) / 1000;
  const usage = sampler.stop()['broker'];

  const ok = outcomes.filter((o) => o.ok);
  const sums = ok.map((o) => o.ms).sort((a, b) => a - b);
  const errors = [...new Set(outcomes.filter((o) => !o.ok).map((o) => o.error ?? 'unknown'))].slice(0, 5);
  const p95 = percentile(sums, 0.95);
  const pass = ok.length === FLOWS && p95 <= BAR_P95_MS;
  const figures = {
    bench: 'B5',
    flows: FLOWS,
    completed: ok.length,
    failed: FLOWS - ok.length,
    failure_reasons: errors,
    requests_per_flow: ok[0]?.requests ?? 0,
    distinct_customers: customers.length,
    flow_sum_ms: { p50: round(percentile(sums, 0.5), 1), p95: round(p95, 1), max: round(sums.at(-1) ?? 0, 1) },
    wall_seconds: round(wallSeconds, 2),
    broker: usage,
    bar: { flow_sum_ms_p95: BAR_P95_MS },
    pass,
  };
  const markdown = [
    '# B5 — consent flow (SPEC §9)',
    '',
    `${FLOWS} flows started at once against one broker and bank A (${figures.distinct_customers} distinct customers); each flow's HTTP request latencies (to the whole body) summed, think time excluded.`,
    '',
    '| figure | value | bar |',
    '|---|---:|---|',
    `| flows completed | ${ok.length} / ${FLOWS} | all |`,
    `| requests per flow | ${figures.requests_per_flow} | |`,
    `| flow sum p50 ms | ${figures.flow_sum_ms.p50} | |`,
    `| flow sum p95 ms | ${figures.flow_sum_ms.p95} | ≤ ${BAR_P95_MS} |`,
    `| flow sum max ms | ${figures.flow_sum_ms.max} | |`,
    `| wall time s | ${figures.wall_seconds} | |`,
    `| broker CPU % / peak RSS MB | ${usage?.cpu_percent ?? '-'} / ${usage?.peak_rss_mb ?? '-'} | |`,
    '',
    ...(errors.length > 0 ? [`Failures: ${errors.join('; ')}`, ''] : []),
    `Result: **${pass ? 'PASS' : 'FAIL'}**.`,
  ];
  writeResult('b5-consent', figures, markdown);
  console.log(markdown.join('\n'));
  process.exitCode = pass ? 0 : 1;
}

try {
  await main();
} finally {
  stack.stop();
}
