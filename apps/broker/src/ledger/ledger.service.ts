import { Injectable } from '@nestjs/common';
import type { NewLedgerEntry } from '@kyc/ledger';
import { MetricsService, PrismaService, type Prisma } from '@kyc/platform';
import { LedgerAppender } from './ledger-appender.js';
import { APPEND_SQL, appendParameters, headAnswer, numberBatch, type AppendedEntry, type HeadRow } from './ledger-batch.js';

export type { AppendedEntry } from './ledger-batch.js';

type Tx = Prisma.TransactionClient;

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

  /** Appends with other concurrent appends of this instance; resolves only once the entry is durable. */
  append(entry: NewLedgerEntry): Promise<AppendedEntry> {
    return this.appender.append(entry);
  }

  /**
   * Runs `work` in one database transaction in which `append` adds ledger entries, so that an entry
   * exists exactly when the change it records was committed.
   */
  async transaction<T>(work: (tx: Tx, append: (entry: NewLedgerEntry) => Promise<AppendedEntry>) => Promise<T>): Promise<T> {
    const appended: NewLedgerEntry[] = [];
    const result = await this.prisma.$transaction((tx) =>
      work(tx, async (entry) => {
        const done = await this.appendIn(tx, entry);
        appended.push(entry);
        return done;
      }),
    );
    for (const entry of appended) this.metrics.ledgerAppends.inc({ type: entry.type, outcome: entry.outcome });
    return result;
  }

  /** Numbered under the head lock (held to the transaction's COMMIT), so the append cannot miss. */
  private async appendIn(tx: Tx, entry: NewLedgerEntry): Promise<AppendedEntry> {
    const heads = await tx.$queryRaw<{ head_next_seq: bigint; head_last_occurred_at: Date | null }[]>`SELECT head_next_seq, head_last_occurred_at FROM ledger_lock_head()`;
    const head = heads[0];
    if (head === undefined) throw new Error('ledger_head is missing its row');
    const batch = numberBatch([entry], Number(head.head_next_seq), head.head_last_occurred_at?.toISOString() ?? null);
    const answer = headAnswer((await tx.$queryRawUnsafe<HeadRow[]>(APPEND_SQL, ...appendParameters(batch)))[0]);
    const written = batch.appended[0];
    if (!answer.appended || written === undefined) throw new Error('the ledger head moved while its lock was held');
    return written;
  }
}
