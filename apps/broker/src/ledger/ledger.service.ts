import { Injectable } from '@nestjs/common';
import { canonicalJson, compactEntry, leafHash, type NewLedgerEntry } from '@kyc/ledger';
import { MetricsService, PrismaService, type Prisma } from '@kyc/platform';
import { MerkleStore } from './merkle-store.js';

export interface AppendedEntry {
  readonly seq: number;
  readonly leafHash: string;
}

type Tx = Prisma.TransactionClient;

/**
 * Appends distribution-history entries with a gap-free `seq`: the next number is taken under a row
 * lock on `ledger_head` inside the caller's transaction, so a rolled-back append leaves no hole and
 * an entry exists exactly when the change it records was committed.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsService,
    private readonly merkle: MerkleStore,
  ) {}

  /** Appends in its own transaction; resolves only once the entry is durable. */
  append(entry: NewLedgerEntry): Promise<AppendedEntry> {
    return this.transaction((_tx, append) => append(entry));
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

  private async appendIn(tx: Tx, entry: NewLedgerEntry): Promise<AppendedEntry> {
    const rows = await tx.$queryRaw<{ next_seq: bigint }[]>`SELECT next_seq FROM ledger_head WHERE id = 1 FOR UPDATE`;
    const next = rows[0]?.next_seq;
    if (next === undefined) throw new Error('ledger_head is missing its row');
    const full = compactEntry({ ...entry, seq: Number(next) });
    const hash = leafHash(full);
    await tx.ledgerEntry.create({
      data: {
        seq: next,
        type: full.type,
        occurredAt: new Date(full.occurred_at),
        enterpriseId: full.enterprise_id,
        bankId: full.bank_id,
        verificationId: full.verification_id,
        outcome: full.outcome,
        subjectRef: full.subject_ref ?? null,
        entry: canonicalJson(full),
        leafHash: hash,
      },
    });
    await this.merkle.recordLeaf(tx, full.seq, hash);
    await tx.$executeRaw`UPDATE ledger_head SET next_seq = next_seq + 1 WHERE id = 1`;
    return { seq: full.seq, leafHash: hash };
  }
}
