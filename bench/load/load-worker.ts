/**
 * B1's load generator, run in its own process: `LOAD_SPEC='<LoadSpec JSON>' node dist/bench/load/load-worker.js`
 * prints one JSON line (LoadResult). Closed loop: autocannon with N connections. Open loop: requests
 * sent on a fixed schedule through an undici pool, each timed from when it was sent; autocannon's
 * own rate option sends each connection's quota back to back at the start of every second, which
 * is a burst, not a fixed rate. Every request to a bank carries a fresh DPoP proof (new jti and
 * iat, htu of the URL called, ath of the token), signed with the key the token is bound to.
 */
import { createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface LoadSpec {
  readonly mode: 'closed' | 'open';
  readonly origin: string;
  /** Paths taken in turn, one per request. */
  readonly paths: readonly string[];
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second (open loop). */
  readonly rate?: number;
  /** A fixed Authorization header (the broker's enterprise key). */
  readonly authorization?: string;
  /** A DPoP-bound bank access token and the private JWK it is bound to. */
  readonly dpop?: { readonly accessToken: string; readonly privateJwk: Record<string, unknown> };
}

export interface LoadResult {
  readonly seconds: number;
  readonly sent: number;
  readonly status_counts: Record<string, number>;
  readonly errors: number;
  readonly ok_per_second: number;
  /** Latency of the 200 answers, ms. */
  readonly latency_ms: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** Open loop: how late the scheduler sent requests, p99 ms. */
  readonly send_lag_ms_p99?: number;
}

type HeaderMaker = (path: string) => Record<string, string>;

function headerMaker(spec: LoadSpec): HeaderMaker {
  const fixed: Record<string, string> = spec.authorization === undefined ? {} : { authorization: spec.authorization };
  if (spec.dpop === undefined) return () => fixed;
  const { accessToken, privateJwk } = spec.dpop;
  const key: KeyObject = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const { kty, crv, x, y } = privateJwk;
  const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })).toString('base64url');
  const ath = createHash('sha256').update(accessToken).digest('base64url');
  return (path) => {
    const claims = { htm: 'GET', htu: `${spec.origin}${path}`, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return { ...fixed, authorization: `DPoP ${accessToken}`, dpop: `${input}.${signature}` };
  };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const ms = (n: number): number => Number(n.toFixed(3));

function summarize(seconds: number, sent: number, counts: Record<string, number>, errors: number, okLatencies: number[]): LoadResult {
  okLatencies.sort((a, b) => a - b);
  return {
    seconds: ms(seconds),
    sent,
    status_counts: counts,
    errors,
    ok_per_second: Math.round((counts['200'] ?? 0) / seconds),
    latency_ms: {
      p50: ms(percentile(okLatencies, 0.5)),
      p90: ms(percentile(okLatencies, 0.9)),
      p99: ms(percentile(okLatencies, 0.99)),
      max: ms(okLatencies.at(-1) ?? 0),
    },
  };
}

async function closedLoop(spec: LoadSpec): Promise<LoadResult> {
  const headersFor = headerMaker(spec);
  let next = 0;
  const counts: Record<string, number> = {};
  const okLatencies: number[] = [];
  const started = performance.now();
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url: spec.origin,
    connections: spec.connections,
    duration: spec.seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const path = spec.paths[next++ % spec.paths.length] ?? '/';
          return { ...request, path, headers: headersFor(path) };
        },
      },
    ],
  }, (err: unknown, result: autocannon.Result) => (err ? fail(err) : finish(result)));
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    counts[statusCode] = (counts[statusCode] ?? 0) + 1;
    if (statusCode === 200) okLatencies.push(responseTime);
  });
  const result = await done;
  const seconds = (performance.now() - started) / 1000;
  const sent = Object.values(counts).reduce((a, b) => a + b, 0) + result.errors;
  return summarize(seconds, sent, counts, result.errors, okLatencies);
}

async function openLoop(spec: LoadSpec): Promise<LoadResult> {
  const rate = spec.rate ?? 500;
  const headersFor = headerMaker(spec);
  const pool = new Pool(spec.origin, { connections: spec.connections, pipelining: 1 });
  const counts: Record<string, number> = {};
  const okLatencies: number[] = [];
  const lags: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const total = Math.round(rate * spec.seconds);
  const t0 = performance.now();
  const one = async (i: number): Promise<void> => {
    const path = spec.paths[i % spec.paths.length] ?? '/';
    const sentAt = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path, headers: headersFor(path) });
      await res.body.arrayBuffer();
      counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 200) okLatencies.push(performance.now() - sentAt);
    } catch {
      errors++;
    }
  };
  let i = 0;
  while (i < total) {
    const now = performance.now();
    // Everything that is due goes out now; then sleep until the next one is.
    while (i < total && t0 + (i * 1000) / rate <= now) {
      lags.push(now - (t0 + (i * 1000) / rate));
      pending.push(one(i++));
    }
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  lags.sort((a, b) => a - b);
  return { ...summarize(seconds, total, counts, errors, okLatencies), send_lag_ms_p99: ms(percentile(lags, 0.99)) };
}

const spec = JSON.parse(process.env['LOAD_SPEC'] ?? '{}') as LoadSpec;
const result = spec.mode === 'open' ? await openLoop(spec) : await closedLoop(spec);
process.stdout.write(`${JSON.stringify(result)}\n`);
