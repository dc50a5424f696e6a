import { Injectable } from '@nestjs/common';
import type { NewLedgerEntry } from '@kyc/ledger';
import { inTransaction, MetricsService, PrismaService, ROLLBACK } from '@kyc/platform';
import { LedgerAppender, type ReleaseGuard } from './ledger-appender.js';
import { APPEND_SQL, appendParameters, headAnswer, numberBatch, type AppendedEntry, type HeadRow } from './ledger-batch.js';

export type { AppendedEntry } from './ledger-batch.js';
export type { ReleaseGuard } from './ledger-appender.js';

/** One SQL statement for the driver: the state change a ledger entry records. */
export interface RecordedChange {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * Appends distribution-history entries with a gap-free `seq`. A release's entry goes through the
 * group-commit appender; a consent outcome or revocation is appended inside the transaction of the
 * change it records, so the entry exists exactly when the change committed.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsService,
    private readonly appender: LedgerAppender,
  ) {}

  /**
   * Appends with other concurrent appends of this instance; resolves only once the entry is durable.
   * With a guard, the entry is written only if the guard still holds in the append's transaction;
   * otherwise a `release.failed` entry is written instead and the append rejects with the reason.
   */
  append(entry: NewLedgerEntry, guard?: ReleaseGuard): Promise<AppendedEntry> {
    return this.appender.append(entry, guard);
  }

  /**
   * Runs `change`, then the statements of `also` (outbox rows of what the change sets off), and
   * appends `entry`, in one transaction on the driver (no ORM round trips inside it): all commit,
   * or none. A change that matched no row writes nothing and answers undefined. The change runs
   * before the head lock is taken, so the lock is held only for the append and the COMMIT
   * (docs/performance.md).
   */
  async recordChange(change: RecordedChange, entry: NewLedgerEntry, also: readonly RecordedChange[] = []): Promise<AppendedEntry | undefined> {
    const written = await inTransaction(this.prisma.pool, async (client) => {
      const changed = await client.query({ text: change.text, values: [...change.values] });
      if (changed.rowCount === 0) return ROLLBACK;
      for (const statement of also) await client.query({ text: statement.text, values: [...statement.values] });
      const heads = await client.query<{ head_next_seq: string; head_last_occurred_at: Date | null }>(
        'SELECT head_next_seq, head_last_occurred_at FROM ledger_lock_head()',
      );
      const head = heads.rows[0];
      if (head === undefined) throw new Error('ledger_head is missing its row');
      const batch = numberBatch([entry], Number(head.head_next_seq), head.head_last_occurred_at?.toISOString() ?? null);
      const answer = headAnswer((await client.query<HeadRow>(APPEND_SQL, appendParameters(batch))).rows[0]);
      const appended = batch.appended[0];
      if (!answer.appended || appended === undefined) throw new Error('the ledger head moved while its lock was held');
      return appended;
    });
    if (written !== undefined) this.metrics.ledgerAppends.inc({ type: entry.type, outcome: entry.outcome });
    return written;
  }
}
