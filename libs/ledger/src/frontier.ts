import { nodeHash } from './entry.js';
import { EMPTY_TREE_ROOT, isHashHex } from './merkle.js';

/**
 * The right edge of an RFC 9162 tree that grows one leaf at a time: one hash per set bit of the
 * size, each the root of a complete subtree, largest (leftmost) first. Appending merges equal-sized
 * subtrees as binary addition carries, so a monitor can fold millions of streamed leaves into their
 * root in O(log n) memory and never hold the leaves.
 */
export class MerkleFrontier {
  private readonly subtrees: string[] = [];
  private leaves = 0;

  get size(): number {
    return this.leaves;
  }

  /** The complete subtrees' roots, largest first: one per set bit of `size`. */
  get rightEdge(): readonly string[] {
    return [...this.subtrees];
  }

  append(leafHash: string): void {
    if (!isHashHex(leafHash)) throw new TypeError(`leaf ${this.leaves} is not a lowercase hex SHA-256 hash`);
    let hash = leafHash;
    // Each trailing 1 bit of the old size is a complete subtree as large as the one being carried.
    for (let n = this.leaves; n % 2 === 1; n = Math.floor(n / 2)) {
      const left = this.subtrees.pop();
      if (left === undefined) throw new Error('frontier out of step with its size');
      hash = nodeHash(left, hash);
    }
    this.subtrees.push(hash);
    this.leaves += 1;
  }

  /** MTH(D[size]): the complete subtrees folded from the right, as RFC 9162 §2.1.1 splits them. */
  root(): string {
    return rootOfRightEdge(this.subtrees);
  }
}

/** The root of a tree from its right edge (the complete subtrees' roots, largest first), folded from the right. */
export function rootOfRightEdge(edge: readonly string[]): string {
  if (edge.length === 0) return EMPTY_TREE_ROOT;
  return edge.reduceRight((right, left) => nodeHash(left, right));
}
