/**
 * SPEC §9 B6: normalization + matching throughput, one core. Each "payload" is one bank record in
 * that bank's wire format, normalized to canonical claims by its adapter's normalizer, plus a
 * match against an applicant's differently spelled data. Run by `bench/normalize.bench.ts`.
 */
import { matchClaims, type ClaimName } from '@kyc/identity-normalize';
import { normalizeBankARecord, type BankAKycRecord } from './bank-a/kaede-record.js';
import { normalizeBankBBody, type BankBIdentityBody } from './bank-b/tsubame-body.js';
import { makePerson, renderApplicant, renderBankA, renderBankB, seeded } from './fixtures/persons.js';

export interface NormalizeBenchRow {
  bank: 'a' | 'b';
  /** Payloads normalized and matched per second. */
  payloadsPerSecond: number;
  /** JSON.parse(JSON.stringify(payload)) per second over the same payloads, same run. */
  baselinePayloadsPerSecond: number;
  payloads: number;
}

export interface NormalizeBenchOptions {
  payloads?: number;
  durationMs?: number;
  seed?: number;
}

const REQUESTED: readonly ClaimName[] = [
  'family_name', 'given_name', 'family_name#ja-Kana-JP', 'given_name#ja-Kana-JP', 'birthdate', 'address',
];

function timeLoop(durationMs: number, n: number, step: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 200); i++) step(i); // warm-up
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let k = 0; k < 100; k++) step(ops++ % n);
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

let sink = 0; // keeps the work observable so it cannot be optimized away

export function runNormalizeBench(options: NormalizeBenchOptions = {}): NormalizeBenchRow[] {
  const { payloads = 1000, durationMs = 2000, seed = 6 } = options;
  const rand = seeded(seed);
  const people = Array.from({ length: payloads }, () => makePerson(rand));
  const applicants = people.map(renderApplicant);
  const bankA: BankAKycRecord[] = people.map((p) => renderBankA(p, rand));
  const bankB: BankBIdentityBody[] = people.map((p) => renderBankB(p, rand));

  const rows: NormalizeBenchRow[] = [];
  for (const [bank, records, normalize] of [
    ['a', bankA, (r: unknown) => normalizeBankARecord(r as BankAKycRecord)],
    ['b', bankB, (r: unknown) => normalizeBankBBody(r as BankBIdentityBody)],
  ] as const) {
    const baseline = timeLoop(durationMs / 4, payloads, (i) => {
      sink += (JSON.parse(JSON.stringify(records[i])) as object) === null ? 1 : 0;
    });
    const rate = timeLoop(durationMs, payloads, (i) => {
      const { claims } = normalize(records[i]);
      const report = matchClaims(claims, applicants[i]!, REQUESTED);
      sink += report.address?.score ?? 0;
    });
    rows.push({ bank, payloadsPerSecond: Math.round(rate), baselinePayloadsPerSecond: Math.round(baseline), payloads });
  }
  if (sink < 0) console.log(sink);
  return rows;
}
