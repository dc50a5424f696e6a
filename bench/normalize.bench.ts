/**
 * SPEC §9 B6 — normalization + matching ≥ 50,000 payloads/s on one core.
 * Prints one JSON line per bank and a verdict; exit code 1 when the bar is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runNormalizeBench } from '../libs/bank-adapters/src/normalize.bench-run.js';

const BAR = 50_000;

const rows = runNormalizeBench({ payloads: 1000, durationMs: 2000 });
let ok = true;
const figures = [];
for (const row of rows) {
  const pass = row.payloadsPerSecond >= BAR;
  ok &&= pass;
  figures.push({
    bench: 'B6',
    bank: row.bank,
    payloads_per_second: row.payloadsPerSecond,
    baseline_json_roundtrip_per_second: row.baselinePayloadsPerSecond,
    ratio_to_baseline: Number((row.payloadsPerSecond / row.baselinePayloadsPerSecond).toFixed(3)),
    bar: BAR,
    pass,
  });
  console.log(JSON.stringify(figures.at(-1)));
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/b6-normalize.json', `${JSON.stringify({ bench: 'B6', banks: figures, bar: BAR, pass: ok }, null, 2)}\n`);
console.log(`B6 normalization + matching: ${ok ? 'PASS' : 'FAIL'} (bar ${BAR} payloads/s on one core)`);
if (!ok) process.exitCode = 1;
