import { Inject, Injectable } from '@nestjs/common';
import { signCheckpoint, type Checkpoint } from '@kyc/ledger';
import { BROKER_CONFIG, PrismaService, ProblemError, type BrokerConfig } from '@kyc/platform';
import { MerkleStore } from '../ledger/index.js';

type Row = { treeSize: bigint; rootHash: string; timestamp: Date; keyId: string; signature: string };

const view = (r: Row): Checkpoint => ({
  tree_size: Number(r.treeSize),
  root_hash: r.rootHash,
  timestamp: r.timestamp.toISOString(),
  key_id: r.keyId,
  signature: r.signature,
});

/** Signed tree heads (SPEC §8): Ed25519 over the canonical JSON of {tree_size, root_hash, timestamp}. */
@Injectable()
export class CheckpointsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly merkle: MerkleStore,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  /** A checkpoint over every entry committed so far; the existing one when the tree has not grown. */
  async create(): Promise<Checkpoint> {
    const treeSize = await this.merkle.treeSize();
    const existing = await this.prisma.checkpoint.findUnique({ where: { treeSize: BigInt(treeSize) } });
    if (existing !== null) return view(existing);
    const signed = await signCheckpoint(
      { tree_size: treeSize, root_hash: await this.merkle.root(treeSize), timestamp: new Date().toISOString() },
      this.config.keys.ledgerSigningJwk,
    );
    await this.prisma.checkpoint.createMany({
      data: [{ treeSize: BigInt(treeSize), rootHash: signed.root_hash, timestamp: new Date(signed.timestamp), keyId: signed.key_id, signature: signed.signature }],
      skipDuplicates: true,
    });
    // Another instance may have signed the same size a moment earlier: answer what was stored.
    return this.get(String(treeSize));
  }

  async latest(): Promise<Checkpoint | undefined> {
    const row = await this.prisma.checkpoint.findFirst({ orderBy: { treeSize: 'desc' } });
    return row === null ? undefined : view(row);
  }

  async get(treeSizeText: string): Promise<Checkpoint> {
    const row = /^\d{1,19}$/.test(treeSizeText) ? await this.prisma.checkpoint.findUnique({ where: { treeSize: BigInt(treeSizeText) } }) : null;
    if (row === null) throw new ProblemError('NOT_FOUND', 'No checkpoint for that tree size.');
    return view(row);
  }

  async list(limit: number, cursor: string | undefined): Promise<{ data: Checkpoint[]; next_cursor: string | null }> {
    const rows = await this.prisma.checkpoint.findMany({
      where: cursor === undefined ? {} : { treeSize: { lt: BigInt(cursor) } },
      orderBy: { treeSize: 'desc' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { data: page.map(view), next_cursor: rows.length > limit && last !== undefined ? last.treeSize.toString() : null };
  }
}
