import { canonicalJson, compactEntry, leafHashOfText, type NewLedgerEntry } from '@kyc/ledger';

/** What `ledger_append` answers: the head after the call, and whether the batch was written. */
export interface HeadAnswer {
  readonly nextSeq: number;
  readonly lastOccurredAt: string | null;
  readonly appended: boolean;
}

export interface AppendedEntry {
  readonly seq: number;
  readonly leafHash: string;
}

/** A batch numbered from a head: the canonical JSON texts, leaf hashes and columns `ledger_append` takes. */
export interface NumberedBatch {
  readonly firstSeq: number;
  readonly texts: string[];
  readonly hashes: string[];
  readonly columns: {
    readonly types: string[];
    readonly occurredAt: string[];
    readonly enterpriseIds: string[];
    readonly bankIds: string[];
    readonly verificationIds: string[];
    readonly outcomes: string[];
    readonly subjectRefs: (string | null)[];
  };
  readonly appended: AppendedEntry[];
}

/**
 * Numbers entries from `nextSeq` and keeps `occurred_at` non-decreasing along `seq` (an entry never
 * claims to be older than the one before it; across instances clocks differ by milliseconds). The
 * auditor's time filters rely on that order (docs/adr/0011).
 */
export function numberBatch(entries: readonly NewLedgerEntry[], nextSeq: number, lastOccurredAt: string | null): NumberedBatch {
  const texts: string[] = [];
  const hashes: string[] = [];
  const appended: AppendedEntry[] = [];
  const columns = { types: [] as string[], occurredAt: [] as string[], enterpriseIds: [] as string[], bankIds: [] as string[], verificationIds: [] as string[], outcomes: [] as string[], subjectRefs: [] as (string | null)[] };
  let last = lastOccurredAt;
  entries.forEach((entry, i) => {
    const own = new Date(entry.occurred_at).toISOString();
    const occurredAt = last !== null && own < last ? last : own;
    last = occurredAt;
    const full = compactEntry({ ...entry, occurred_at: occurredAt, seq: nextSeq + i });
    const text = canonicalJson(full);
    const hash = leafHashOfText(text);
    texts.push(text);
    hashes.push(hash);
    columns.types.push(full.type);
    columns.occurredAt.push(full.occurred_at);
    columns.enterpriseIds.push(full.enterprise_id);
    columns.bankIds.push(full.bank_id);
    columns.verificationIds.push(full.verification_id);
    columns.outcomes.push(full.outcome);
    columns.subjectRefs.push(full.subject_ref ?? null);
    appended.push({ seq: full.seq, leafHash: hash });
  });
  return { firstSeq: nextSeq, texts, hashes, columns, appended };
}

/** The parameters of APPEND_SQL, in order. */
export function appendParameters(batch: NumberedBatch): unknown[] {
  const c = batch.columns;
  return [batch.firstSeq, batch.texts, batch.hashes, c.types, c.occurredAt, c.enterpriseIds, c.bankIds, c.verificationIds, c.outcomes, c.subjectRefs];
}

/** The SQL of one append attempt; its parameters come from appendParameters. */
export const APPEND_SQL =
  'SELECT head_next_seq, head_last_occurred_at, appended FROM ledger_append($1::bigint, $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])';

export interface HeadRow {
  head_next_seq: string | bigint | number;
  head_last_occurred_at: Date | null;
  appended: boolean;
}

export function headAnswer(row: HeadRow | undefined): HeadAnswer {
  if (row === undefined) throw new Error('ledger_append answered no row');
  return { nextSeq: Number(row.head_next_seq), lastOccurredAt: row.head_last_occurred_at?.toISOString() ?? null, appended: row.appended };
}
