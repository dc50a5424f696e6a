import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EMPTY_TREE_ROOT, consistencyPathRanges, inclusionPathRanges, largestPowerOfTwoBelow, nodeHash, rootOfRightEdge, storedSubtrees, type StoredSubtree, type SubtreeRange } from '@kyc/ledger';
import { ProblemError, ReadPool } from '@kyc/platform';

type NodeRef = StoredSubtree;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
const key = (n: NodeRef): string => `${n.level}/${n.idx}`;

export interface TreeHead {
  readonly size: number;
  readonly root: string;
}

/**
 * Reads the ledger's Merkle tree kept in Postgres. `ledger_append` (the migration's SQL function)
 * writes it: the leaves are the entries' `leaf_hash`, every complete aligned subtree above them is
 * stored once, and `ledger_head.frontier` holds the right edge, so the current root is one read and
 * any proof is one query for at most 2·log2(n) stored hashes. Nothing here writes: a tree that is
 * incomplete stays so (and proofs over it fail) rather than being rebuilt from what the database
 * holds, which an insider could have rewritten.
 */
@Injectable()
export class MerkleStore implements OnApplicationBootstrap {
  private readonly logger = new Logger(MerkleStore.name);

  constructor(private readonly pool: ReadPool) {}

  /** At start, O(log n) reads: the stored nodes must agree with the head's right edge. */
  async onApplicationBootstrap(): Promise<void> {
    const head = await this.head();
    if (head.size === 0) return;
    const fromNodes = await this.root(head.size).catch(() => undefined);
    if (fromNodes !== head.root) {
      this.logger.error({ tree_size: head.size }, 'the stored Merkle nodes do not match the ledger head: proofs will fail until this is investigated');
    }
  }

  /** The current size and root, from one consistent read of `ledger_head`. */
  async head(): Promise<TreeHead> {
    const { rows } = await this.pool.query<{ next_seq: string; frontier: string[] }>(
      `SELECT next_seq, array(SELECT encode(f, 'hex') FROM unnest(frontier) WITH ORDINALITY AS u(f, n) ORDER BY n) AS frontier
         FROM ledger_head WHERE id = 1`,
    );
    const row = rows[0];
    if (row === undefined) throw new Error('ledger_head is missing its row');
    return { size: Number(row.next_seq), root: rootOfRightEdge(row.frontier) };
  }

  /** The number of committed entries: the current tree size. */
  async treeSize(): Promise<number> {
    const { rows } = await this.pool.query<{ next_seq: string }>('SELECT next_seq FROM ledger_head WHERE id = 1');
    return Number(rows[0]?.next_seq ?? 0);
  }

  async root(treeSize: number): Promise<string> {
    if (treeSize === 0) return EMPTY_TREE_ROOT;
    const [root] = await this.hashes([{ start: 0, end: treeSize }]);
    if (root === undefined) throw new Error('no root computed');
    return root;
  }

  /**
   * Leaf `seq` and its audit path in the tree of `treeSize` leaves, from one query (the proof
   * endpoint's whole database work) — or the current tree size when it is not that large yet.
   */
  async inclusionProof(seq: number, treeSize: number): Promise<{ leafHash: string; auditPath: string[] } | { treeSize: number }> {
    const { size, hashes } = await this.hashesWithin([{ start: seq, end: seq + 1 }, ...inclusionPathRanges(seq, treeSize)], treeSize);
    if (hashes === undefined) return { treeSize: size };
    const [leaf, ...auditPath] = hashes;
    return { leafHash: leaf ?? '', auditPath };
  }

  /** The consistency proof from one query, or the current tree size when `to` is beyond it. */
  async consistencyProof(from: number, to: number): Promise<{ proof: string[] } | { treeSize: number }> {
    const { size, hashes } = await this.hashesWithin(consistencyPathRanges(from, to), to);
    return hashes === undefined ? { treeSize: size } : { proof: hashes };
  }

  /** RFC 9162 audit path of leaf `seq` in the tree of `treeSize` leaves. */
  async inclusionPath(seq: number, treeSize: number): Promise<string[]> {
    return this.hashes(inclusionPathRanges(seq, treeSize));
  }

  /** RFC 9162 consistency proof between the trees of `from` and `to` leaves. */
  async consistencyPath(from: number, to: number): Promise<string[]> {
    return this.hashes(consistencyPathRanges(from, to));
  }

  async leafHash(seq: number): Promise<string> {
    const { rows } = await this.pool.query<{ leaf_hash: string }>('SELECT leaf_hash FROM ledger_entries WHERE seq = $1', [seq]);
    const leaf = rows[0];
    if (leaf === undefined) throw new ProblemError('NOT_FOUND', 'No such ledger entry.');
    return leaf.leaf_hash;
  }

  /** The hash of each range, from one query for all the stored nodes they decompose into. */
  private async hashes(ranges: readonly SubtreeRange[]): Promise<string[]> {
    const { hashes } = await this.hashesWithin(ranges, 0);
    return hashes ?? [];
  }

  /**
   * The hash of each range and the current tree size in one query; `hashes` is undefined when the
   * tree holds fewer than `needed` leaves (then nothing is computed).
   */
  private async hashesWithin(ranges: readonly SubtreeRange[], needed: number): Promise<{ size: number; hashes: string[] | undefined }> {
    const wanted = new Map<string, NodeRef>();
    for (const r of ranges) for (const node of storedSubtrees(r.start, r.end)) wanted.set(key(node), node);
    const nodes = [...wanted.values()];
    const leaves = nodes.filter((n) => n.level === 0).map((n) => n.idx);
    const inner = nodes.filter((n) => n.level > 0);
    const { rows } = await this.pool.query<{ level: number; idx: string; hash: string }>(
      `SELECT -1 AS level, next_seq AS idx, '' AS hash FROM ledger_head WHERE id = 1
       UNION ALL
       SELECT 0 AS level, seq AS idx, leaf_hash AS hash FROM ledger_entries WHERE seq = ANY($1::bigint[])
       UNION ALL
       SELECT m.level::int, m.idx, m.hash
         FROM merkle_nodes m
         JOIN unnest($2::smallint[], $3::bigint[]) AS w(level, idx) ON m.level = w.level AND m.idx = w.idx`,
      [leaves.map(String), inner.map((n) => n.level), inner.map((n) => String(n.idx))],
    );
    const size = Number(rows.find((r) => r.level === -1)?.idx ?? 0);
    if (size < needed) return { size, hashes: undefined };
    const found = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
    const stored = (node: NodeRef): string => {
      const hash = found.get(key(node));
      if (hash !== undefined) return hash;
      if (node.level === 0) throw new ProblemError('NOT_FOUND', 'No such ledger entry.');
      throw new Error(`merkle node ${key(node)} is missing`);
    };
    // MTH of [start, end) as RFC 9162 splits it, every complete aligned part a stored node.
    const mth = (start: number, end: number): string => {
      const size = end - start;
      if (isPowerOfTwo(size) && start % size === 0) return stored({ level: Math.log2(size), idx: start / size });
      const k = largestPowerOfTwoBelow(size);
      return nodeHash(mth(start, start + k), mth(start + k, end));
    };
    return { size, hashes: ranges.map((r) => mth(r.start, r.end)) };
  }
}
