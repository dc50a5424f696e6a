// `npm run bench`: builds, then runs every benchmark in bench/ one after another (never in parallel:
// they compare against baselines measured in the same run, on the same cores) and prints their figures,
// then one table of every bar of SPEC §9 from bench/results/*.json (also written as summary.json/.md).
import './node24.mjs';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { build, ensureKeys, generatePrismaClient } from './lib.mjs';

const RESULTS = 'bench/results';

/** Each bar: its result file and how to say its figure and bar in one line. */
const BARS = [
  ['B1', 'b1-hot-path.json', (r) => [
    `broker ${r.closed_loop.broker.ok_per_second}/s vs nginx ${r.closed_loop.nginx.ok_per_second}/s = ${r.throughput_ratio_to_nginx}×; added at ${r.open_loop_rate}/s p50 ${r.broker_added_latency_ms.p50} ms, p99 ${r.broker_added_latency_ms.p99} ms`,
    `≥ ${r.bar.throughput_ratio}× nginx; p50 ≤ ${r.bar.added_p50_ms} ms, p99 ≤ ${r.bar.added_p99_ms} ms`,
  ]],
  ['B2', 'b2-ledger-append.json', (r) => [
    `${r.appends_per_second} appends/s, ${r.ratio}× plain INSERT (${r.baseline_inserts_per_second}/s)`,
    `≥ ${r.bar.appends_per_second}/s and ≥ ${r.bar.ratio}×`,
  ]],
  ['B3', 'b3-audit-scale.json', (r) => [
    `${r.rows.filter((row) => row.pass).length}/${r.rows.length} measures within their bar at ${r.entries} entries${r.rows.some((row) => !row.pass) ? ` (missed: ${r.rows.filter((row) => !row.pass).map((row) => row.measure).join(', ')})` : ''}`,
    'first page p95 ≤ 20 ms; 30-day stats ≤ 200 ms; export RSS ≤ 250 MB',
  ]],
  ['B4', 'b4-flow-limit.json', (r) => [
    `max ${r.bank_max_served_in_any_second}/s in any second at limit ${r.limit_rps}, ${r.broker_instances} instances; ${Math.round(r.utilization * 100)} % used`,
    'never above the limit; ≥ 95 % used',
  ]],
  ['B5', 'b5-consent.json', (r) => [
    `p95 ${r.flow_sum_ms.p95} ms (p50 ${r.flow_sum_ms.p50}); ${r.completed}/${r.flows} flows completed; largest broker process ${r.broker?.peak_process_rss_mb ?? '?'} MB`,
    `${r.flows} flows, p95 ≤ ${r.bar.flow_sum_ms_p95} ms; RSS ≤ ${r.bar.broker_process_rss_mb ?? 250} MB per process`,
  ]],
  ['B6', 'b6-normalize.json', (r) => [
    r.banks.map((b) => `${b.bank} ${b.payloads_per_second}/s`).join(', '),
    `≥ ${r.bar}/s on one core`,
  ]],
];

/** One row per bar; a result older than this run, or none, counts as a failure. */
function summarize(since) {
  return BARS.map(([id, file, describe]) => {
    const where = `${RESULTS}/${file}`;
    if (!existsSync(where)) return { bar: id, figure: 'no result', target: '', verdict: 'FAIL' };
    if (statSync(where).mtimeMs < since) return { bar: id, figure: `not measured in this run (stale ${file})`, target: '', verdict: 'FAIL' };
    const result = JSON.parse(readFileSync(where, 'utf8'));
    const [figure, target] = describe(result);
    return { bar: id, figure, target, verdict: result.pass ? 'PASS' : 'FAIL' };
  });
}

function writeSummary(rows) {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}/summary.json`, `${JSON.stringify({ measured_at: new Date().toISOString(), bars: rows }, null, 2)}\n`);
  const lines = ['# SPEC §9 quality bars', '', '| bar | figure (with its baseline) | bar | verdict |', '|---|---|---|---|', ...rows.map((r) => `| ${r.bar} | ${r.figure} | ${r.target} | **${r.verdict}** |`), ''];
  writeFileSync(`${RESULTS}/summary.md`, lines.join('\n'));
  console.log(`\n${lines.join('\n')}`);
}

const startedAt = Date.now();
await ensureKeys();
generatePrismaClient();
build();
let failed = false;
for (const file of readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort()) {
  const compiled = `dist/bench/${file.replace(/\.ts$/, '.js')}`;
  console.log(`\n== ${file}`);
  const result = spawnSync('node', [compiled], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
const rows = summarize(startedAt);
writeSummary(rows);
if (rows.some((r) => r.verdict !== 'PASS')) failed = true;
process.exitCode = failed ? 1 : 0;
