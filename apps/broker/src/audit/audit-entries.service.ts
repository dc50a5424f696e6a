import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CONFIG, PrismaService, ProblemError, type BrokerConfig, type Prisma } from '@kyc/platform';
import { MerkleStore, subjectRef } from '../ledger/index.js';
import { CheckpointsService } from './checkpoints.service.js';
import type { EntryFilter } from './audit.dto.js';

export interface EntryView {
  entry: Record<string, unknown>;
  leaf_hash: string;
}

/** Queries over the distribution history, newest first, with keyset paging on `seq`. */
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
      where: this.where(filter),
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

  /** The filters as a query; `cursor` pages newest first. */
  where(filter: Omit<EntryFilter, 'limit'>): Prisma.LedgerEntryWhereInput {
    return {
      ...(filter.enterprise_id === undefined ? {} : { enterpriseId: filter.enterprise_id }),
      ...(filter.bank_id === undefined ? {} : { bankId: filter.bank_id }),
      ...(filter.verification_id === undefined ? {} : { verificationId: filter.verification_id }),
      ...(filter.bank_subject === undefined || filter.bank_id === undefined
        ? {}
        : { subjectRef: subjectRef(this.config.keys.subjectKey, filter.bank_id, filter.bank_subject) }),
      ...(filter.type === undefined ? {} : { type: filter.type }),
      ...(filter.outcome === undefined ? {} : { outcome: filter.outcome }),
      ...(filter.from === undefined && filter.to === undefined
        ? {}
        : { occurredAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }),
      ...(filter.cursor === undefined ? {} : { seq: { lt: BigInt(filter.cursor) } }),
    };
  }

  /** One entry with its inclusion proof against the latest checkpoint (made now when none covers it). */
  async one(seqText: string): Promise<EntryView & { inclusion_proof: Record<string, unknown> }> {
    const row = /^\d{1,19}$/.test(seqText) ? await this.prisma.ledgerEntry.findUnique({ where: { seq: BigInt(seqText) } }) : null;
    if (row === null) throw new ProblemError('NOT_FOUND', 'No such ledger entry.');
    const seq = Number(row.seq);
    let checkpoint = await this.checkpoints.latest();
    if (checkpoint === undefined || checkpoint.tree_size <= seq) checkpoint = await this.checkpoints.create();
    const auditPath = await this.merkle.inclusionPath(seq, checkpoint.tree_size);
    return {
      entry: JSON.parse(row.entry) as Record<string, unknown>,
      leaf_hash: row.leafHash,
      inclusion_proof: { seq, tree_size: checkpoint.tree_size, leaf_hash: row.leafHash, audit_path: auditPath },
    };
  }
}
