/**
 * SPEC §9 B3 — audit queries at 10M entries: filtered first page p95 ≤ 20 ms, 30-day stats ≤ 200 ms,
 * export of 1M rows with broker RSS ≤ 250 MB; and B2's inclusion proof ≤ 5 ms at 10M entries.
 * Uses its own database, loaded once by `scripts/ledger-load.mjs` and reused while its head holds
 * BENCH_LEDGER_ENTRIES entries; starts one broker (from dist/) and measures over HTTP, each figure
 * beside the same queries timed directly in Postgres, so the broker's own share is visible.
 * Writes bench/results/b3-audit-scale.{json,md}; exit code 1 when a bar is missed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inclusionPathRanges, rootOfRightEdge, storedSubtrees, verifyInclusionProof, type InclusionProof } from '@kyc/ledger';
import { subjectRef } from '../apps/broker/src/ledger/index.js';

const ENTRIES = Number(process.env['BENCH_LEDGER_ENTRIES'] ?? 10_000_000);
// Not kyc_broker_bench: the B4 bench drops and recreates that one on every run.
const DATABASE = process.env['BENCH_AUDIT_DATABASE'] ?? 'kyc_audit_bench';
const PORT = Number(process.env['BENCH_AUDIT_PORT'] ?? 3300);
const BROKER = `http://127.0.0.1:${PORT}`;
const REQUESTS = 200;
const STATS_REQUESTS = 30;
const EXPORT_ROWS = Math.min(1_000_000, ENTRIES);
const BARS = { pageP95: 20, statsP95: 200, exportRssMb: 250, proofP95: 5 };

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};
const urls = {
  admin: process.env['DATABASE_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  owner: withDatabase(process.env['MIGRATION_DATABASE_URL'] ?? 'postgresql://kyc_owner@127.0.0.1:5432/kyc_broker', DATABASE),
  app: withDatabase(process.env['DATABASE_URL'] ?? 'postgresql://kyc_app@127.0.0.1:5432/kyc_broker', DATABASE),
};
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_ADMIN_URL: urls.admin,
  MIGRATION_DATABASE_URL: urls.owner,
  DATABASE_URL: urls.app,
  REDIS_URL: process.env['BENCH_AUDIT_REDIS_URL'] ?? 'redis://127.0.0.1:6379/12',
  BROKER_PORT: String(PORT),
  BROKER_PUBLIC_URL: BROKER,
  // No scheduled checkpoint (and its witness calls) in the middle of the measurements.
  CHECKPOINT_INTERVAL_MS: '86400000',
};

const children: ChildProcess[] = [];

function run(args: string[], capture = false): string {
  const result = spawnSync('node', args, { env, encoding: 'utf8', stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  return result.stdout ?? '';
}

async function headSize(): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: urls.owner });
  try {
    await client.connect();
    const { rows } = await client.query<{ next_seq: string }>('SELECT next_seq FROM ledger_head WHERE id = 1');
    return Number(rows[0]?.next_seq ?? 0);
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The loaded database, reused when its head already holds ENTRIES entries; the loader's figures when loaded now. */
async function ensureLedger(): Promise<Record<string, unknown> | null> {
  if ((await headSize()) === ENTRIES) {
    run(['scripts/database.mjs', '--quiet']);
    return null;
  }
  console.error(`loading ${ENTRIES} entries into ${DATABASE} (once; later runs reuse it)`);
  run(['scripts/database.mjs', '--fresh', '--quiet']);
  const out = run(['scripts/ledger-load.mjs', '--entries', String(ENTRIES)], true);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
};
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
const summary = (ms: number[]): { p50: number; p95: number } => ({ p50: round(percentile(ms, 0.5)), p95: round(percentile(ms, 0.95)) });

async function timed(times: number, work: (i: number) => Promise<void>, warmup = 10): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work(times + i);
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await work(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

// --- the entries filters -------------------------------------------------------------------------

interface Filter {
  enterprise_id?: string;
  bank_id?: string;
  verification_id?: string;
  bank_subject?: string;
  type?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

interface Population {
  size: number;
  firstAt: number;
  lastAt: number;
  enterprises: string[];
  verifications: string[];
  subjectKey: Buffer;
}

/** Deterministic per request index, so the broker and the baseline see the same 200 filters. */
function pick<T>(list: readonly T[], i: number): T {
  const item = list[(i * 7919) % list.length];
  if (item === undefined) throw new Error('empty population');
  return item;
}

/** A 1-day window starting at a different hour of the middle two months for each request. */
function dayWindow(p: Population, i: number): { from: string; to: string } {
  const middle = (p.firstAt + p.lastAt) / 2;
  const start = middle - 30 * 86_400_000 + ((i * 7919) % (60 * 24)) * 3_600_000;
  return { from: new Date(start).toISOString(), to: new Date(start + 86_400_000).toISOString() };
}

// The loader's customers: `load-<n>` zero-padded to 6+ digits, at bank-a when n % 5 < 3 (scripts/ledger-load.mjs).
function subject(p: Population, i: number): { bank_id: string; bank_subject: string } {
  const customers = Math.max(1, Math.ceil(p.size / 8));
  const n = (i * 104_729) % customers;
  return { bank_id: n % 5 < 3 ? 'bank-a' : 'bank-b', bank_subject: `load-${String(n).padStart(Math.max(6, String(customers - 1).length), '0')}` };
}

const SCENARIOS: { name: string; filter: (p: Population, i: number) => Filter }[] = [
  { name: 'enterprise_id', filter: (p, i) => ({ enterprise_id: pick(p.enterprises, i) }) },
  { name: 'bank_id', filter: (_p, i) => ({ bank_id: i % 2 === 0 ? 'bank-a' : 'bank-b' }) },
  { name: 'verification_id', filter: (p, i) => ({ verification_id: pick(p.verifications, i) }) },
  { name: 'bank_subject+bank_id', filter: (p, i) => subject(p, i) },
  { name: 'type (rare: consent.failed)', filter: () => ({ type: 'consent.failed' }) },
  { name: 'type (common: identity.released)', filter: () => ({ type: 'identity.released' }) },
  { name: 'outcome=failed', filter: () => ({ outcome: 'failed' }) },
  { name: 'from/to (1 day, mid-year)', filter: (p, i) => dayWindow(p, i) },
  { name: 'enterprise_id+from/to', filter: (p, i) => ({ enterprise_id: pick(p.enterprises, i), ...dayWindow(p, i) }) },
];

/** The broker's query for one filter (AuditEntriesService.where + list), run directly. */
async function pageSql(db: pg.Client, p: Population, f: Filter, explain = false): Promise<number> {
  const bound = async (at: string): Promise<string> => {
    const { rows } = await db.query<{ seq: string }>('SELECT seq FROM ledger_entries WHERE occurred_at >= $1 ORDER BY occurred_at, seq LIMIT 1', [at]);
    return rows[0]?.seq ?? String(p.size);
  };
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: unknown, op = '='): void => {
    params.push(value);
    where.push(`${column} ${op} $${params.length}`);
  };
  if (f.enterprise_id !== undefined) add('enterprise_id', f.enterprise_id);
  if (f.bank_id !== undefined) add('bank_id', f.bank_id);
  if (f.verification_id !== undefined) add('verification_id', f.verification_id);
  if (f.bank_subject !== undefined && f.bank_id !== undefined) add('subject_ref', subjectRef(p.subjectKey, f.bank_id, f.bank_subject));
  if (f.type !== undefined) add('type', f.type);
  if (f.outcome !== undefined) add('outcome', f.outcome);
  if (f.from !== undefined) add('seq', await bound(f.from), '>=');
  if (f.to !== undefined) add('seq', await bound(f.to), '<');
  const sql = `SELECT seq, entry, leaf_hash FROM ledger_entries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT 51`;
  if (!explain) return (await db.query(sql, params)).rowCount ?? 0;
  const { rows } = await db.query<{ 'QUERY PLAN': { 'Execution Time': number }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  return rows[0]?.['QUERY PLAN'][0]?.['Execution Time'] ?? NaN;
}

const api = (key: string, pathAndQuery: string): Promise<Response> => fetch(`${BROKER}${pathAndQuery}`, { headers: { authorization: `Bearer ${key}` } });

async function getJson<T>(key: string, pathAndQuery: string): Promise<T> {
  const res = await api(key, pathAndQuery);
  if (!res.ok) throw new Error(`${pathAndQuery}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const query = (f: object): string => new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)])).toString();

interface Row {
  measure: string;
  broker_ms: { p50: number; p95: number };
  postgres_ms: { p50: number; p95: number };
  postgres_execution_ms?: number;
  bar: string;
  pass: boolean;
  note?: string;
}

async function measurePages(key: string, db: pg.Client, p: Population): Promise<Row[]> {
  const rows: Row[] = [];
  for (const s of SCENARIOS) {
    let empty = 0;
    const broker = await timed(REQUESTS, async (i) => {
      const page = await getJson<{ data: unknown[] }>(key, `/v1/audit/entries?${query({ ...s.filter(p, i), limit: 50 })}`);
      if (i < REQUESTS && page.data.length === 0) empty++;
    });
    const direct = await timed(REQUESTS, async (i) => void (await pageSql(db, p, s.filter(p, i))));
    const execution = await pageSql(db, p, s.filter(p, 0), true);
    const b = summary(broker);
    rows.push({
      measure: `first page: ${s.name}`,
      broker_ms: b,
      postgres_ms: summary(direct),
      postgres_execution_ms: round(execution, 3),
      bar: `p95 ≤ ${BARS.pageP95} ms`,
      pass: b.p95 <= BARS.pageP95,
      ...(empty > 0 ? { note: `${empty} of ${REQUESTS} pages empty` } : {}),
    });
  }
  return rows;
}

/** AuditStatsService.byDay for the default window (the last 30 days, partial days at both edges). */
async function statsSql(db: pg.Client): Promise<void> {
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const dayStart = (t: Date): Date => new Date(Math.floor(t.getTime() / 86_400_000) * 86_400_000);
  const wholeFrom = new Date(dayStart(from).getTime() + 86_400_000);
  const wholeTo = dayStart(to);
  const counted = `SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, bank_id, enterprise_id, outcome, count(*)::int AS count
      FROM ledger_entries WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1, 2, 3, 4`;
  await db.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, bank_id, enterprise_id, outcome, count::int AS count FROM ledger_daily_counts WHERE day >= $1::date AND day < $2::date`, [wholeFrom, wholeTo]);
  await db.query(counted, [from, wholeFrom]);
  await db.query(counted, [wholeTo, to]);
}

async function measureStats(key: string, db: pg.Client): Promise<Row> {
  let rowsPerAnswer = 0;
  let bytes = 0;
  // Timed until the last byte of the answer arrived; parsing 4 MB of JSON is the load generator's
  // work, not the broker's, so it happens after the clock stops.
  let last = '{"data":[]}';
  const broker = await timed(STATS_REQUESTS, async () => {
    const res = await api(key, '/v1/audit/stats');
    const text = await res.text();
    if (!res.ok) throw new Error(`stats: ${res.status} ${text}`);
    last = text;
  }, 3);
  bytes = last.length;
  rowsPerAnswer = (JSON.parse(last) as { data: unknown[] }).data.length;
  const direct = await timed(STATS_REQUESTS, () => statsSql(db), 3);
  const b = summary(broker);
  return { measure: 'stats: last 30 days', broker_ms: b, postgres_ms: summary(direct), bar: `p95 ≤ ${BARS.statsP95} ms`, pass: b.p95 <= BARS.statsP95, note: `${rowsPerAnswer} rows, ${round(bytes / 1e6, 1)} MB per answer` };
}

// --- inclusion proofs ------------------------------------------------------------------------------

/** The proof endpoint's reads (tree size, leaf, the path's stored nodes), run directly. */
async function proofSql(db: pg.Client, seq: number, size: number): Promise<void> {
  await db.query('SELECT next_seq FROM ledger_head WHERE id = 1');
  const nodes = inclusionPathRanges(seq, size).flatMap((r) => storedSubtrees(r.start, r.end));
  const leaves = nodes.filter((n) => n.level === 0).map((n) => n.idx);
  const inner = nodes.filter((n) => n.level > 0);
  await Promise.all([
    db.query('SELECT leaf_hash FROM ledger_entries WHERE seq = $1', [seq]),
    db.query(
      `SELECT 0::int AS level, seq AS idx, leaf_hash AS hash FROM ledger_entries WHERE seq = ANY($1::bigint[])
       UNION ALL
       SELECT m.level::int, m.idx, m.hash FROM merkle_nodes m
         JOIN unnest($2::smallint[], $3::bigint[]) AS w(level, idx) ON m.level = w.level AND m.idx = w.idx`,
      [leaves, inner.map((n) => n.level), inner.map((n) => n.idx)],
    ),
  ]);
}

async function measureProofs(key: string, db: pg.Client, p: Population, root: string): Promise<Row> {
  const seqAt = (i: number): number => (i * 2_654_435_761) % p.size;
  let invalid = 0;
  const broker = await timed(REQUESTS, async (i) => {
    const proof = await getJson<InclusionProof>(key, `/v1/audit/proofs/inclusion?seq=${seqAt(i)}&tree_size=${p.size}`);
    if (!verifyInclusionProof(proof, root)) invalid++;
  });
  const direct = await timed(REQUESTS, (i) => proofSql(db, seqAt(i), p.size));
  const b = summary(broker);
  return {
    measure: `inclusion proof at ${p.size}`,
    broker_ms: b,
    postgres_ms: summary(direct),
    bar: `p95 ≤ ${BARS.proofP95} ms`,
    pass: b.p95 <= BARS.proofP95 && invalid === 0,
    ...(invalid > 0 ? { note: `${invalid} proofs did not verify` } : {}),
  };
}

// --- export ---------------------------------------------------------------------------------------

function memoryKb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

interface ExportFigures {
  rows: number;
  seconds: number;
  rows_per_second: number;
  peak_rss_mb: number;
  vm_hwm_mb: number;
  rss_before_mb: number;
  rss_after_all_mb?: number;
  postgres_seconds: number;
  postgres_rows_per_second: number;
  pass: boolean;
}

async function measureExport(key: string, db: pg.Client, pid: number, p: Population): Promise<ExportFigures> {
  const first = Math.floor((p.size - EXPORT_ROWS) / 2);
  const at = async (seq: number): Promise<string> => {
    if (seq >= p.size) return new Date(p.lastAt + 1).toISOString();
    const { rows } = await db.query<{ occurred_at: Date }>('SELECT occurred_at FROM ledger_entries WHERE seq = $1', [seq]);
    return (rows[0]?.occurred_at ?? new Date(p.lastAt + 1)).toISOString();
  };
  const window = { from: await at(first), to: await at(first + EXPORT_ROWS) };
  const before = memoryKb(pid);
  let peak = before.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryKb(pid).rss)), 50);
  const t0 = performance.now();
  const res = await api(key, `/v1/audit/export?${query({ format: 'csv', ...window })}`);
  if (!res.ok || res.body === null) throw new Error(`export: ${res.status}`);
  let lines = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const after = memoryKb(pid);
  peak = Math.max(peak, after.rss);

  // The same pages (keyset, 1000 rows, oldest first) read directly.
  const lower = await db.query<{ seq: string }>('SELECT seq FROM ledger_entries WHERE occurred_at >= $1 ORDER BY occurred_at, seq LIMIT 1', [window.from]);
  const upper = await db.query<{ seq: string }>('SELECT seq FROM ledger_entries WHERE occurred_at >= $1 ORDER BY occurred_at, seq LIMIT 1', [window.to]);
  const t1 = performance.now();
  let cursor = Number(lower.rows[0]?.seq ?? 0) - 1;
  const end = Number(upper.rows[0]?.seq ?? p.size);
  for (;;) {
    const { rows } = await db.query<{ seq: string }>('SELECT seq, entry, leaf_hash FROM ledger_entries WHERE seq > $1 AND seq < $2 ORDER BY seq LIMIT 1000', [cursor, end]);
    if (rows.length === 0) break;
    cursor = Number(rows.at(-1)?.seq);
    if (rows.length < 1000) break;
  }
  const pgSeconds = (performance.now() - t1) / 1000;
  const rows = lines - 1;
  const mb = (kb: number): number => round(kb / 1024, 1);
  return {
    rows,
    seconds: round(seconds, 1),
    rows_per_second: Math.round(rows / seconds),
    peak_rss_mb: mb(peak),
    vm_hwm_mb: mb(after.hwm),
    rss_before_mb: mb(before.rss),
    postgres_seconds: round(pgSeconds, 1),
    postgres_rows_per_second: Math.round(EXPORT_ROWS / pgSeconds),
    pass: rows === EXPORT_ROWS && Math.max(peak, after.hwm) / 1024 <= BARS.exportRssMb,
  };
}

// --- the run --------------------------------------------------------------------------------------

async function population(db: pg.Client): Promise<Population & { root: string }> {
  const head = await db.query<{ next_seq: string; frontier: string[]; last_occurred_at: Date }>(
    `SELECT next_seq, last_occurred_at, array(SELECT encode(f, 'hex') FROM unnest(frontier) WITH ORDINALITY AS u(f, n) ORDER BY n) AS frontier FROM ledger_head WHERE id = 1`,
  );
  const h = head.rows[0];
  if (h === undefined) throw new Error('no ledger head');
  const size = Number(h.next_seq);
  const first = await db.query<{ occurred_at: Date }>('SELECT occurred_at FROM ledger_entries WHERE seq = 0');
  const enterprises = (await db.query<{ enterprise_id: string }>('SELECT DISTINCT enterprise_id FROM ledger_daily_counts ORDER BY 1')).rows.map((r) => r.enterprise_id);
  const seqs = Array.from({ length: REQUESTS }, (_, i) => (i * 2_246_822_519) % size);
  const verifications = (await db.query<{ verification_id: string }>('SELECT verification_id FROM ledger_entries WHERE seq = ANY($1::bigint[])', [seqs])).rows.map((r) => r.verification_id);
  const keyText = process.env['SUBJECT_KEY']?.trim() || readFileSync(path.resolve(process.env['KEYS_DIR'] ?? '.keys', 'subject.key'), 'utf8').trim();
  return {
    size,
    root: rootOfRightEdge(h.frontier),
    firstAt: first.rows[0]?.occurred_at.getTime() ?? 0,
    lastAt: h.last_occurred_at.getTime(),
    enterprises,
    verifications,
    subjectKey: Buffer.from(keyText, 'base64url'),
  };
}

const ms = (s: { p50: number; p95: number }): string => `${s.p50} / ${s.p95}`;

function report(result: { rows: Row[]; exportFigures: ExportFigures; size: number; load: Record<string, unknown> | null; failed: string[] }): string {
  const lines = [
    `# B3 audit queries at scale (SPEC §9 B3, with B2's inclusion-proof bar)`,
    '',
    `${result.size} ledger entries; ${new Date().toISOString()}; ${REQUESTS} requests per filter (one at a time, after 10 warm-up), ${STATS_REQUESTS} for stats.`,
    `Broker: one process over HTTP. Postgres: the same SQL through node-postgres (round trips included); execution: EXPLAIN ANALYZE of the page query.`,
    result.load === null ? 'Ledger reused from an earlier run.' : `Ledger loaded in this run: ${String(result.load['total_seconds'])} s (scripts/ledger-load.mjs).`,
    '',
    '| measure | broker p50 / p95 ms | postgres p50 / p95 ms | execution ms | bar | result |',
    '|---|---|---|---|---|---|',
    ...result.rows.map((r) => `| ${r.measure}${r.note ? ` (${r.note})` : ''} | ${ms(r.broker_ms)} | ${ms(r.postgres_ms)} | ${r.postgres_execution_ms ?? ''} | ${r.bar} | ${r.pass ? 'PASS' : 'FAIL'} |`),
    '',
    `Export of ${result.exportFigures.rows} rows (CSV): ${result.exportFigures.seconds} s, ${result.exportFigures.rows_per_second} rows/s; broker RSS ${result.exportFigures.rss_before_mb} MB before, peak ${result.exportFigures.peak_rss_mb} MB (sampled every 50 ms), VmHWM ${result.exportFigures.vm_hwm_mb} MB; bar ≤ ${BARS.exportRssMb} MB: ${result.exportFigures.pass ? 'PASS' : 'FAIL'}. The same pages read directly: ${result.exportFigures.postgres_seconds} s (${result.exportFigures.postgres_rows_per_second} rows/s). Measured first, on the freshly started broker; after all the other measurements its RSS was ${result.exportFigures.rss_after_all_mb ?? '?'} MB.`,
    '',
    result.failed.length === 0 ? 'All bars met.' : `Bars missed: ${result.failed.join('; ')}.`,
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const load = await ensureLedger();
  const seeded = run(['dist/prisma/seed-main.js', '--demo'], true);
  const demo = JSON.parse(seeded.trim().split('\n').pop() ?? '{}') as { auditor_key: string };
  // One process: B3 times single requests, and its RSS bar is per process.
  const broker = spawn('node', ['--max-old-space-size=192', '--max-semi-space-size=4', 'dist/apps/broker/src/main.js'], {
    env: { ...env, BROKER_WORKERS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(broker);
  await waitFor(`${BROKER}/healthz`);
  const db = new pg.Client({ connectionString: urls.app });
  await db.connect();
  try {
    const p = await population(db);
    if (p.size !== ENTRIES) throw new Error(`the ledger holds ${p.size} entries, not ${ENTRIES}`);
    // The export first, on the freshly started broker: its RSS is then the export's, not the heap
    // the other measurements leave behind (reported apart, as rss_after_all_mb).
    const exportFigures = await measureExport(demo.auditor_key, db, broker.pid ?? 0, p);
    const rows = [...(await measurePages(demo.auditor_key, db, p)), await measureStats(demo.auditor_key, db), await measureProofs(demo.auditor_key, db, p, p.root)];
    exportFigures.rss_after_all_mb = round(memoryKb(broker.pid ?? 0).rss / 1024, 1);
    const failed = [
      ...rows.filter((r) => !r.pass).map((r) => `${r.measure} (${r.bar}, was p95 ${r.broker_ms.p95} ms${r.note ? `, ${r.note}` : ''})`),
      ...(exportFigures.pass ? [] : [`export (${exportFigures.rows} of ${EXPORT_ROWS} rows, RSS peak ${Math.max(exportFigures.peak_rss_mb, exportFigures.vm_hwm_mb)} MB, bar ${BARS.exportRssMb} MB)`]),
    ];
    for (const r of rows) {
      console.log(`${r.measure.padEnd(44)} broker ${ms(r.broker_ms).padStart(15)} ms   postgres ${ms(r.postgres_ms).padStart(15)} ms   ${r.bar.padEnd(14)} ${r.pass ? 'PASS' : 'FAIL'}${r.note ? `  (${r.note})` : ''}`);
    }
    console.log(`export ${exportFigures.rows} rows: ${exportFigures.seconds} s, ${exportFigures.rows_per_second} rows/s, RSS ${exportFigures.rss_before_mb} MB before, peak ${exportFigures.peak_rss_mb} MB, VmHWM ${exportFigures.vm_hwm_mb} MB (≤ ${BARS.exportRssMb} MB) ${exportFigures.pass ? 'PASS' : 'FAIL'}; RSS after everything ${exportFigures.rss_after_all_mb ?? '?'} MB`);
    const result = { bench: 'B3', entries: p.size, measured_at: new Date().toISOString(), load, rows, export: exportFigures, bars: BARS, failed, pass: failed.length === 0 };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/b3-audit-scale.json', `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync('bench/results/b3-audit-scale.md', report({ rows, exportFigures, size: p.size, load, failed }));
    console.log(`B3 audit queries at ${p.size} entries: ${failed.length === 0 ? 'PASS' : `FAIL — ${failed.join('; ')}`}`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await db.end();
  }
}

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
}
