/**
 * SPEC §9 B2 — ledger appends with 32 concurrent writers through the real append path (the broker's
 * LedgerService: group commit into `ledger_append`, as the runtime role), beside the baseline of the
 * same run: 32 writers doing plain single-row INSERTs into a copy of the same table (same columns,
 * same indexes, no tree, no gap-free numbering). Bar: ≥ 10,000 appends/s and ≥ 0.5 × the baseline.
 * Afterwards the whole tree is recomputed from the stored leaves and compared with the head.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { canonicalJson, compactEntry, leafHash, merkleRoot, type NewLedgerEntry } from '@kyc/ledger';
import { loadBrokerConfig, MetricsService, PlatformModule } from '@kyc/platform';
import { LedgerModule, LedgerService, MerkleStore } from '../apps/broker/src/ledger/index.js';

const WRITERS = 32;
const SECONDS = Number(process.env['BENCH_B2_SECONDS'] ?? 8);
const DATABASE = 'kyc_broker_bench_b2';
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: `postgresql://kyc_app@127.0.0.1:5432/${DATABASE}`,
  MIGRATION_DATABASE_URL: `postgresql://kyc_owner@127.0.0.1:5432/${DATABASE}`,
  REDIS_URL: 'redis://127.0.0.1:6379/13',
};

let counter = 0;
function entry(): NewLedgerEntry {
  counter++;
  return {
    type: 'identity.released',
    occurred_at: new Date().toISOString(),
    enterprise_id: `ent_bench_${counter % 50}`,
    bank_id: counter % 5 < 3 ? 'bank-a' : 'bank-b',
    verification_id: `ver_bench_${counter}`,
    purpose: 'account_opening',
    outcome: 'ok',
    request_id: `req_bench_${counter}`,
    subject_ref: randomBytes(32).toString('hex'),
    claims: ['address', 'birthdate', 'family_name', 'given_name'],
    commitments: { address: 'a'.repeat(43), birthdate: 'b'.repeat(43), family_name: 'c'.repeat(43), given_name: 'd'.repeat(43) },
  };
}

/** `writers` loops, each awaiting `one()` back to back for `seconds`: completed operations per second. */
async function closedLoop(writers: number, seconds: number, one: () => Promise<unknown>): Promise<{ perSecond: number; total: number }> {
  const until = Date.now() + seconds * 1000;
  let total = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < until) {
        await one();
        total++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: total / elapsed, total };
}

async function baseline(): Promise<{ perSecond: number; total: number }> {
  const pool = new pg.Pool({ connectionString: env.MIGRATION_DATABASE_URL, max: WRITERS });
  await pool.query('CREATE TABLE ledger_entries_baseline (LIKE ledger_entries INCLUDING ALL)');
  let seq = 0;
  const result = await closedLoop(WRITERS, SECONDS, () => {
    const full = compactEntry({ ...entry(), seq: seq++ });
    return pool.query(
      'INSERT INTO ledger_entries_baseline (seq, type, occurred_at, enterprise_id, bank_id, verification_id, outcome, subject_ref, entry, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [full.seq, full.type, full.occurred_at, full.enterprise_id, full.bank_id, full.verification_id, full.outcome, full.subject_ref, canonicalJson(full), leafHash(full)],
    );
  });
  await pool.end();
  return result;
}

async function main(): Promise<void> {
  const prepared = spawnSync('node', ['scripts/database.mjs', '--fresh', '--quiet'], { env, encoding: 'utf8' });
  if (prepared.status !== 0) throw new Error(prepared.stderr);
  const base = await baseline();

  const config = loadBrokerConfig(env);
  @Module({ imports: [PlatformModule.forRoot(config), LedgerModule] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  const ledger = app.get(LedgerService);
  const real = await closedLoop(WRITERS, SECONDS, () => ledger.append(entry()));

  const metrics = await app.get(MetricsService).registry.getMetricsAsJSON();
  const batchSizes = metrics.find((m) => m.name === 'kyc_ledger_batch_entries') as { values: { value: number; metricName?: string }[] } | undefined;
  const commits = batchSizes?.values.find((v) => v.metricName === 'kyc_ledger_batch_entries_count')?.value ?? 0;
  const attempts = (metrics.find((m) => m.name === 'kyc_ledger_commit_seconds') as { values: { value: number; metricName?: string; labels: Record<string, string> }[] } | undefined)?.values
    .filter((v) => v.metricName === 'kyc_ledger_commit_seconds_count')
    .map((v) => `${v.labels['attempts'] ?? '?'}: ${v.value}`)
    .join(', ');
  const merkle = app.get(MerkleStore);
  const head = await merkle.head();
  const check = new pg.Client({ connectionString: env.DATABASE_URL });
  await check.connect();
  const { rows } = await check.query<{ leaf_hash: string }>('SELECT leaf_hash FROM ledger_entries ORDER BY seq');
  const { rows: batches } = await check.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entries');
  await check.end();
  const whole = rows.length === head.size && merkleRoot(rows.map((r) => r.leaf_hash)) === head.root;
  await app.close();

  const ratio = real.perSecond / base.perSecond;
  const pass = real.perSecond >= 10_000 && ratio >= 0.5 && whole;
  const figures = {
    bench: 'B2',
    writers: WRITERS,
    seconds: SECONDS,
    appends_per_second: Math.round(real.perSecond),
    appended: real.total,
    baseline_inserts_per_second: Math.round(base.perSecond),
    ratio: Number(ratio.toFixed(3)),
    tree_size: head.size,
    tree_verified: whole,
    entries_in_table: Number(batches[0]?.n ?? 0),
    group_commits: commits,
    bar: { appends_per_second: 10_000, ratio: 0.5 },
    pass,
  };
  console.log(`B2 ledger append, ${WRITERS} concurrent writers, ${SECONDS} s each phase`);
  console.log(`  real append path (group commit) ${figures.appends_per_second.toLocaleString('en')} appends/s (${real.total} entries)`);
  console.log(`  baseline: plain INSERT, same table ${figures.baseline_inserts_per_second.toLocaleString('en')} inserts/s`);
  console.log(`  ${commits} group commits, ${(real.total / Math.max(commits, 1)).toFixed(1)} entries each on average; commits by attempts needed: ${attempts ?? '-'}`);
  console.log(`  ratio ${figures.ratio} (bar ≥ 0.5), bar ≥ 10,000/s; tree of ${head.size} recomputed from the leaves: ${whole ? 'matches the head' : 'MISMATCH'}`);
  console.log(`  ${pass ? 'PASS' : 'FAIL'}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/b2-ledger-append.json', `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(
    'bench/results/b2-ledger-append.md',
    [
      '# B2 — ledger appends (SPEC §9)',
      '',
      `${WRITERS} concurrent writers, ${SECONDS} s per phase, same machine, same run.`,
      '',
      '| path | per second | bar |',
      '|---|---:|---|',
      `| real append path (group commit, runtime role) | ${figures.appends_per_second} | ≥ 10,000 and ≥ 0.5 × baseline |`,
      `| baseline: plain single-row INSERT, same table | ${figures.baseline_inserts_per_second} | |`,
      `| ratio | ${figures.ratio} | ≥ 0.5 |`,
      '',
      `Tree of ${head.size} entries recomputed from the stored leaves: ${whole ? 'matches the head' : 'MISMATCH'}. Result: **${pass ? 'PASS' : 'FAIL'}**.`,
      '',
    ].join('\n'),
  );
  process.exitCode = pass ? 0 : 1;
}

await main();
