import { createHash } from 'node:crypto';
import { nodeHash } from './entry.js';

/*
 * RFC 9162 §2.1 over leaf hashes (lowercase hex). Proofs are computed in two steps: first the list
 * of leaf ranges whose subtree hashes make up the proof (pure arithmetic on sizes), then the hashes
 * of those ranges from a `MerkleTree`. The ledger will keep RFC 9162 subtree hashes in Postgres, so
 * that a proof at 10 million entries needs O(log n) reads instead of every leaf: the storage layer
 * asks for the ranges, reads their hashes, and never touches the leaves. Ranges on the right edge
 * are not complete subtrees and change as the log grows; the store combines them from the at most
 * log2(n) complete subtrees they contain. `LeafArrayTree` is the in-memory tree for tests, the
 * verifier and small logs.
 */

/** A SHA-256 hash as the ledger writes it: 64 lowercase hex digits. */
export const HASH_HEX = /^[0-9a-f]{64}$/;

/** MTH({}): the root of the empty tree is the hash of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_TREE_ROOT = createHash('sha256').digest('hex');

/** The leaves [start, end) whose subtree hash MTH(D[start:end]) is one element of a proof. */
export interface SubtreeRange {
  readonly start: number;
  readonly end: number;
}

/** A tree that can answer MTH(D[start:end]) for 0 ≤ start < end ≤ size. */
export interface MerkleTree {
  readonly size: number;
  subtreeHash(start: number, end: number): string;
}

/** The k of RFC 9162 §2.1.1: the largest power of two with k < n ≤ 2k (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`no power of two below ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isHashHex(value: unknown): value is string {
  return typeof value === 'string' && HASH_HEX.test(value);
}

/** MTH(D[n]) of RFC 9162 §2.1.1. */
export function merkleRoot(leaves: readonly string[]): string {
  return leaves.length === 0 ? EMPTY_TREE_ROOT : new LeafArrayTree(leaves).subtreeHash(0, leaves.length);
}

/** A tree held as its leaf hashes; each subtree hash is recomputed from the leaves (O(end - start)). */
export class LeafArrayTree implements MerkleTree {
  private readonly leaves: readonly string[];

  constructor(leaves: readonly string[]) {
    const bad = leaves.findIndex((leaf) => !isHashHex(leaf));
    if (bad >= 0) throw new TypeError(`leaf ${bad} is not a lowercase hex SHA-256 hash`);
    this.leaves = [...leaves];
  }

  get size(): number {
    return this.leaves.length;
  }

  subtreeHash(start: number, end: number): string {
    if (!isSize(start) || !isSize(end) || start >= end || end > this.size) {
      throw new RangeError(`no subtree [${start}, ${end}) in a tree of ${this.size}`);
    }
    return this.mth(start, end);
  }

  private mth(start: number, end: number): string {
    const leaf = this.leaves[start];
    if (end - start === 1 && leaf !== undefined) return leaf;
    const split = start + largestPowerOfTwoBelow(end - start);
    return nodeHash(this.mth(start, split), this.mth(split, end));
  }
}

/** The ranges of PATH(index, D[size]) (RFC 9162 §2.1.3.1), deepest first. */
export function inclusionPathRanges(index: number, size: number): SubtreeRange[] {
  if (!isSize(size) || !isSize(index) || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  }
  return pathRanges(index, 0, size);
}

function pathRanges(leaf: number, start: number, end: number): SubtreeRange[] {
  if (end - start === 1) return [];
  const split = start + largestPowerOfTwoBelow(end - start);
  return leaf < split
    ? [...pathRanges(leaf, start, split), { start: split, end }]
    : [...pathRanges(leaf, split, end), { start, end: split }];
}

/** The ranges of PROOF(from, D[size]) (RFC 9162 §2.1.4.1), for 0 < from ≤ size. */
export function consistencyPathRanges(from: number, size: number): SubtreeRange[] {
  if (!isSize(size) || !isSize(from) || from === 0 || from > size) {
    throw new RangeError(`no consistency proof from ${from} to ${size}`);
  }
  return subproofRanges(from, 0, size, true);
}

/** SUBPROOF(m, D[start:end], b) with m counted from the first leaf; `b` says D[0:m] is the old tree. */
function subproofRanges(m: number, start: number, end: number, b: boolean): SubtreeRange[] {
  if (m === end) return b ? [] : [{ start, end }];
  const split = start + largestPowerOfTwoBelow(end - start);
  return m <= split
    ? [...subproofRanges(m, start, split, b), { start: split, end }]
    : [...subproofRanges(m, split, end, false), { start, end: split }];
}

export function treeInclusionPath(tree: MerkleTree, index: number): string[] {
  return inclusionPathRanges(index, tree.size).map(({ start, end }) => tree.subtreeHash(start, end));
}

export function treeConsistencyPath(tree: MerkleTree, from: number): string[] {
  return consistencyPathRanges(from, tree.size).map(({ start, end }) => tree.subtreeHash(start, end));
}

/** PATH(index, D[n]) over all the leaves. */
export function inclusionPath(leaves: readonly string[], index: number): string[] {
  return treeInclusionPath(new LeafArrayTree(leaves), index);
}

/** PROOF(from, D[n]) over all the leaves. */
export function consistencyPath(leaves: readonly string[], from: number): string[] {
  return treeConsistencyPath(new LeafArrayTree(leaves), from);
}

export interface InclusionCheck {
  leafHash: string;
  index: number;
  treeSize: number;
  auditPath: readonly string[];
  rootHash: string;
}

/** RFC 9162 §2.1.3.2. False, never an exception, for anything malformed. */
export function verifyInclusion({ leafHash, index, treeSize, auditPath, rootHash }: InclusionCheck): boolean {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (!isHashHex(leafHash) || !isHashHex(rootHash) || !isHashList(auditPath)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of auditPath) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && r === rootHash;
}

export interface ConsistencyCheck {
  from: number;
  to: number;
  fromRoot: string;
  toRoot: string;
  proof: readonly string[];
}

/** RFC 9162 §2.1.4.2, plus from = to with an empty proof. False, never an exception, for anything malformed. */
export function verifyConsistency({ from, to, fromRoot, toRoot, proof }: ConsistencyCheck): boolean {
  if (!isSize(from) || !isSize(to) || from === 0 || from > to) return false;
  if (!isHashHex(fromRoot) || !isHashHex(toRoot) || !isHashList(proof)) return false;
  if (from === to) return proof.length === 0 && fromRoot === toRoot;
  if (proof.length === 0) return false;
  const [first, ...rest] = isPowerOfTwo(from) ? [fromRoot, ...proof] : proof;
  if (first === undefined) return false;
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && fr === fromRoot && sr === toRoot;
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isHashList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every(isHashHex);
}

function isPowerOfTwo(n: number): boolean {
  return n === 1 || (n > 1 && largestPowerOfTwoBelow(n) * 2 === n);
}

/** Arithmetic instead of bitwise operators, which would cut sizes to 32 bits. */
function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** A complete aligned subtree: level k, index i covers leaves [i·2^k, (i+1)·2^k); level 0 is a leaf. */
export interface StoredSubtree {
  readonly level: number;
  readonly idx: number;
}

/**
 * The complete aligned subtrees RFC 9162's split of [start, end) bottoms out in (at most 2·log2 n):
 * the stored hashes a root or proof over that range needs.
 */
export function storedSubtrees(start: number, end: number, out: StoredSubtree[] = []): StoredSubtree[] {
  const size = end - start;
  if (size > 0 && (size & (size - 1)) === 0 && start % size === 0) {
    out.push({ level: Math.log2(size), idx: start / size });
    return out;
  }
  const k = largestPowerOfTwoBelow(size);
  storedSubtrees(start, start + k, out);
  return storedSubtrees(start + k, end, out);
}
