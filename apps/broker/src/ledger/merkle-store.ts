import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EMPTY_TREE_ROOT, consistencyPathRanges, inclusionPathRanges, largestPowerOfTwoBelow, nodeHash, type SubtreeRange } from '@kyc/ledger';
import { PrismaService, ProblemError, type Prisma } from '@kyc/platform';

type Db = Prisma.TransactionClient | PrismaService;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

function popcount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

function trailingOnes(n: number): number {
  let count = 0;
  for (let v = n; v % 2 === 1; v = (v - 1) / 2) count++;
  return count;
}

/**
 * The ledger's Merkle tree kept in Postgres: leaves are the entries' `leaf_hash`, and every complete
 * aligned subtree above them is stored once, by the append that completes it (amortized one row per
 * append). Any RFC 9162 subtree hash is then a combination of at most log2(n) stored hashes, so roots
 * and proofs stay cheap at millions of entries.
 */
@Injectable()
export class MerkleStore implements OnApplicationBootstrap {
  private readonly logger = new Logger(MerkleStore.name);

  constructor(private readonly prisma: PrismaService) {}

  /** At start: if the current root cannot be computed (O(log n) reads), complete the stored tree. */
  async onApplicationBootstrap(): Promise<void> {
    const complete = await this.root(await this.treeSize()).then(() => true, () => false);
    if (complete) return;
    const added = await this.backfill();
    this.logger.log({ nodes: added }, 'completed the Merkle tree for earlier entries');
  }

  /** Stores the subtrees that leaf `seq` completes; runs inside the append's transaction. */
  async recordLeaf(tx: Prisma.TransactionClient, seq: number, leafHash: string): Promise<void> {
    let index = seq;
    let hash = leafHash;
    for (let level = 0; index % 2 === 1; level++) {
      const left = await this.node(tx, level, index - 1);
      hash = nodeHash(left, hash);
      index = (index - 1) / 2;
      await tx.merkleNode.create({ data: { level: level + 1, idx: BigInt(index), hash } });
    }
  }

  /**
   * Stores the subtrees missing for entries appended before this table existed (or lost), so the
   * tree is complete. Holds the ledger lock meanwhile, so no append interleaves; a no-op when the
   * node count is what `treeSize` entries imply.
   */
  async backfill(): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const size = Number((await tx.$queryRaw<{ next_seq: bigint }[]>`SELECT next_seq FROM ledger_head WHERE id = 1 FOR UPDATE`)[0]?.next_seq ?? 0n);
        const expected = size - popcount(size);
        if ((await tx.merkleNode.count()) === expected) return 0;
        const nodes: { level: number; idx: bigint; hash: string }[] = [];
        const frontier: string[] = [];
        const leaves = await tx.ledgerEntry.findMany({ orderBy: { seq: 'asc' }, select: { leafHash: true } });
        leaves.forEach(({ leafHash }, seq) => {
          let hash = leafHash;
          let index = seq;
          for (let level = 0; index % 2 === 1; level++) {
            hash = nodeHash(frontier[level] ?? '', hash);
            index = (index - 1) / 2;
            nodes.push({ level: level + 1, idx: BigInt(index), hash });
          }
          const level = trailingOnes(seq);
          frontier[level] = hash;
        });
        const { count } = await tx.merkleNode.createMany({ data: nodes, skipDuplicates: true });
        return count;
      },
      { timeout: 600_000, maxWait: 10_000 },
    );
  }

  /** The number of committed entries: the current tree size. */
  async treeSize(db: Db = this.prisma): Promise<number> {
    const rows = await db.$queryRaw<{ next_seq: bigint }[]>`SELECT next_seq FROM ledger_head WHERE id = 1`;
    return Number(rows[0]?.next_seq ?? 0n);
  }

  async root(treeSize: number, db: Db = this.prisma): Promise<string> {
    return treeSize === 0 ? EMPTY_TREE_ROOT : this.subtreeHash(db, 0, treeSize);
  }

  /** RFC 9162 audit path of leaf `seq` in the tree of `treeSize` leaves. */
  async inclusionPath(seq: number, treeSize: number, db: Db = this.prisma): Promise<string[]> {
    return this.hashes(db, inclusionPathRanges(seq, treeSize));
  }

  /** RFC 9162 consistency proof between the trees of `from` and `to` leaves. */
  async consistencyPath(from: number, to: number, db: Db = this.prisma): Promise<string[]> {
    return this.hashes(db, consistencyPathRanges(from, to));
  }

  async leafHash(seq: number, db: Db = this.prisma): Promise<string> {
    return this.node(db, 0, seq);
  }

  private async hashes(db: Db, ranges: readonly SubtreeRange[]): Promise<string[]> {
    const out: string[] = [];
    for (const range of ranges) out.push(await this.subtreeHash(db, range.start, range.end));
    return out;
  }

  /** MTH of leaves [start, end): a stored node when aligned and complete, else split as RFC 9162 does. */
  private async subtreeHash(db: Db, start: number, end: number): Promise<string> {
    const size = end - start;
    if (isPowerOfTwo(size) && start % size === 0) return this.node(db, Math.log2(size), start / size);
    const k = largestPowerOfTwoBelow(size);
    return nodeHash(await this.subtreeHash(db, start, start + k), await this.subtreeHash(db, start + k, end));
  }

  private async node(db: Db, level: number, index: number): Promise<string> {
    if (level === 0) {
      const leaf = await db.ledgerEntry.findUnique({ where: { seq: BigInt(index) }, select: { leafHash: true } });
      if (leaf === null) throw new ProblemError('NOT_FOUND', 'No such ledger entry.');
      return leaf.leafHash;
    }
    const node = await db.merkleNode.findUnique({ where: { level_idx: { level, idx: BigInt(index) } }, select: { hash: true } });
    if (node === null) throw new Error(`merkle node ${level}/${index} is missing`);
    return node.hash;
  }
}
