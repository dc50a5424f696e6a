import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CONFIG, Prisma, PrismaService, ProblemError, type BrokerConfig } from '@kyc/platform';
import { enterpriseSubjectRef, MerkleStore, subjectRef } from '../ledger/index.js';
import { CheckpointsService } from './checkpoints.service.js';
import type { EntryFilter } from './audit.dto.js';

export interface EntryView {
  entry: Record<string, unknown>;
  leaf_hash: string;
}

/** `seq` bounds: [gte, lt). */
interface SeqRange {
  gte?: bigint;
  lt?: bigint;
}

/**
 * Queries over the distribution history, newest first, with keyset paging on `seq`. Every filter
 * walks its own `(column, seq DESC)` index; a time window becomes a `seq` range first (two index
 * probes on `(occurred_at, seq)`), which is exact because `occurred_at` never decreases along `seq`
 * (ledger_append enforces it; docs/adr/0011).
 */
@Injectable()
export class AuditEntriesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly merkle: MerkleStore,
    private readonly checkpoints: CheckpointsService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async list(filter: EntryFilter): Promise<{ data: EntryView[]; next_cursor: string | null }> {
    const rows = await this.prisma.ledgerEntry.findMany({
      where: await this.where(filter),
      orderBy: { seq: 'desc' },
      take: filter.limit + 1,
      select: { seq: true, entry: true, leafHash: true },
    });
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      data: page.map((r) => ({ entry: JSON.parse(r.entry) as Record<string, unknown>, leaf_hash: r.leafHash })),
      next_cursor: rows.length > filter.limit && last !== undefined ? last.seq.toString() : null,
    };
  }

  /**
   * An enterprise's own entries, each `subject_ref` replaced by the enterprise's own reference for
   * that customer. `leaf_hash` stays the recorded entry's (matching the release's `ledger_entry`).
   */
  async listOwn(enterpriseId: string, filter: Omit<EntryFilter, 'bank_subject' | 'enterprise_id'>): Promise<{ data: EntryView[]; next_cursor: string | null }> {
    const page = await this.list({ ...filter, enterprise_id: enterpriseId });
    const key = this.config.keys.subjectKey;
    return {
      ...page,
      data: page.data.map((row) => {
        const ref = row.entry['subject_ref'];
        return typeof ref === 'string' ? { ...row, entry: { ...row.entry, subject_ref: enterpriseSubjectRef(key, enterpriseId, ref) } } : row;
      }),
    };
  }

  /** The filters as a query; `cursor` pages newest first. */
  async where(filter: Omit<EntryFilter, 'limit'>): Promise<Prisma.LedgerEntryWhereInput> {
    const range = await this.timeRange(filter.from, filter.to);
    if (filter.cursor !== undefined) {
      const cursor = BigInt(filter.cursor);
      range.lt = range.lt === undefined || cursor < range.lt ? cursor : range.lt;
    }
    return {
      ...(filter.enterprise_id === undefined ? {} : { enterpriseId: filter.enterprise_id }),
      ...(filter.bank_id === undefined ? {} : { bankId: filter.bank_id }),
      ...(filter.verification_id === undefined ? {} : { verificationId: filter.verification_id }),
      ...(filter.bank_subject === undefined || filter.bank_id === undefined
        ? {}
        : { subjectRef: subjectRef(this.config.keys.subjectKey, filter.bank_id, filter.bank_subject) }),
      ...(filter.type === undefined ? {} : { type: filter.type }),
      ...(filter.outcome === undefined ? {} : { outcome: filter.outcome }),
      ...(range.gte === undefined && range.lt === undefined ? {} : { seq: range }),
    };
  }

  /** The same filters as SQL, for the export's raw page queries (cursor not used there). */
  async whereSql(filter: Omit<EntryFilter, 'limit' | 'cursor'>): Promise<Prisma.Sql> {
    const range = await this.timeRange(filter.from, filter.to);
    const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (filter.enterprise_id !== undefined) parts.push(Prisma.sql`enterprise_id = ${filter.enterprise_id}`);
    if (filter.bank_id !== undefined) parts.push(Prisma.sql`bank_id = ${filter.bank_id}`);
    if (filter.verification_id !== undefined) parts.push(Prisma.sql`verification_id = ${filter.verification_id}`);
    if (filter.bank_subject !== undefined && filter.bank_id !== undefined) {
      parts.push(Prisma.sql`subject_ref = ${subjectRef(this.config.keys.subjectKey, filter.bank_id, filter.bank_subject)}`);
    }
    if (filter.type !== undefined) parts.push(Prisma.sql`type = ${filter.type}`);
    if (filter.outcome !== undefined) parts.push(Prisma.sql`outcome = ${filter.outcome}`);
    if (range.gte !== undefined) parts.push(Prisma.sql`seq >= ${range.gte}`);
    if (range.lt !== undefined) parts.push(Prisma.sql`seq < ${range.lt}`);
    return Prisma.join(parts, ' AND ');
  }

  /** [from, to) as seq bounds: the first entry at or after each instant. */
  private async timeRange(from: Date | undefined, to: Date | undefined): Promise<SeqRange> {
    const range: SeqRange = {};
    const first = async (at: Date): Promise<bigint> => {
      const rows = await this.prisma.$queryRaw<{ seq: bigint }[]>`
        SELECT seq FROM ledger_entries WHERE occurred_at >= ${at} ORDER BY occurred_at, seq LIMIT 1`;
      return rows[0]?.seq ?? BigInt(await this.merkle.treeSize());
    };
    if (from !== undefined) range.gte = await first(from);
    if (to !== undefined) range.lt = await first(to);
    return range;
  }

  /** One entry with its inclusion proof against the latest checkpoint (made now when none covers it). */
  async one(seqText: string): Promise<EntryView & { inclusion_proof: Record<string, unknown> }> {
    const row = /^\d{1,19}$/.test(seqText) ? await this.prisma.ledgerEntry.findUnique({ where: { seq: BigInt(seqText) } }) : null;
    if (row === null) throw new ProblemError('NOT_FOUND', 'No such ledger entry.');
    const seq = Number(row.seq);
    let checkpoint = await this.checkpoints.latest();
    if (checkpoint === undefined || checkpoint.tree_size <= seq) checkpoint = await this.checkpoints.create({ cosign: false });
    const auditPath = await this.merkle.inclusionPath(seq, checkpoint.tree_size);
    return {
      entry: JSON.parse(row.entry) as Record<string, unknown>,
      leaf_hash: row.leafHash,
      inclusion_proof: { seq, tree_size: checkpoint.tree_size, leaf_hash: row.leafHash, audit_path: auditPath },
    };
  }
}
