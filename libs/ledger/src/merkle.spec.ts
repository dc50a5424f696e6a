import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyPath,
  consistencyPathRanges,
  EMPTY_TREE_ROOT,
  inclusionPath,
  inclusionPathRanges,
  LeafArrayTree,
  largestPowerOfTwoBelow,
  merkleRoot,
  storedSubtrees,
  treeConsistencyPath,
  treeInclusionPath,
  verifyConsistency,
  verifyInclusion,
  type MerkleTree,
} from './merkle.js';

// An independent reference: RFC 9162 §2.1 transcribed literally, recursive over array slices.
// D holds leaf hashes here, so the MTH of a one-element list is that element.
const sha256 = (...parts: Uint8Array[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const refLeafHash = (data: Uint8Array): string => sha256(Buffer.from([0x00]), data);
const refNodeHash = (left: string, right: string): string =>
  sha256(Buffer.from([0x01]), Buffer.from(left, 'hex'), Buffer.from(right, 'hex'));
const refK = (n: number): number => 2 ** Math.ceil(Math.log2(n)) / 2;

function refMth(d: readonly string[]): string {
  if (d.length === 0) return sha256();
  if (d.length === 1) return d[0]!;
  const k = refK(d.length);
  return refNodeHash(refMth(d.slice(0, k)), refMth(d.slice(k)));
}

function refPath(m: number, d: readonly string[]): string[] {
  if (d.length === 1) return [];
  const k = refK(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refMth(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
}

function refSubproof(m: number, d: readonly string[], b: boolean): string[] {
  if (m === d.length) return b ? [] : [refMth(d)];
  const k = refK(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refMth(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refMth(d.slice(0, k))];
}

const refProof = (m: number, d: readonly string[]): string[] => refSubproof(m, d, true);

/** Distinct leaves, so that no two proof elements are equal by accident. */
const leavesOf = (n: number, seed = ''): string[] =>
  Array.from({ length: n }, (_, i) => refLeafHash(Buffer.from(`${seed}/${i}`)));

/** Another valid hash: the first hex digit changed. */
const tamper = (hash: string): string => (hash[0] === '0' ? '1' : '0') + hash.slice(1);

const replaceAt = (xs: readonly string[], i: number, x: string): string[] => xs.map((y, j) => (j === i ? x : y));

const ceilLog2 = (n: number): number => Math.ceil(Math.log2(n));

/** The reference as a `MerkleTree` that remembers what it computed, so that the properties stay fast. */
function memoTree(leaves: readonly string[]): MerkleTree {
  const memo = new Map<string, string>();
  const mth = (start: number, end: number): string => {
    if (end - start === 1) return leaves[start]!;
    const key = `${start}:${end}`;
    let hash = memo.get(key);
    if (hash === undefined) {
      const split = start + refK(end - start);
      hash = refNodeHash(mth(start, split), mth(split, end));
      memo.set(key, hash);
    }
    return hash;
  };
  return { size: leaves.length, subtreeHash: mth };
}

// certificate-transparency / transparency-dev test data (RFC 6962 hashing, which RFC 9162 keeps).
const CT_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_LEAVES = CT_INPUTS.map((hex) => refLeafHash(Buffer.from(hex, 'hex')));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CT_CONSISTENCY = [
  { from: 1, to: 1, proof: [] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    from: 6,
    to: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const rootOf = (size: number): string => CT_ROOTS[size]!;

describe(largestPowerOfTwoBelow.name, () => {
  it('is the k with k < n <= 2k', () => {
    const cases = [[2, 1], [3, 2], [4, 2], [5, 4], [8, 4], [9, 8], [2 ** 40, 2 ** 39], [2 ** 40 + 1, 2 ** 40]];
    for (const [n, k] of cases) expect(largestPowerOfTwoBelow(n!)).toBe(k);
  });

  it('has no answer below 2', () => {
    for (const n of [1, 0, -4, 2.5, Number.NaN]) expect(() => largestPowerOfTwoBelow(n)).toThrow(RangeError);
  });
});

describe(merkleRoot.name, () => {
  it('gives the empty tree the hash of the empty string', () => {
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(EMPTY_TREE_ROOT).toBe(merkleRoot([]));
  });

  it('reproduces the certificate-transparency roots for 1 to 8 leaves', () => {
    expect(CT_LEAVES[0]).toBe(rootOf(1));
    for (let n = 0; n <= 8; n++) expect(merkleRoot(CT_LEAVES.slice(0, n))).toBe(rootOf(n));
  });

  it('matches the recursive definition for every size up to 70', () => {
    const leaves = leavesOf(70);
    for (let n = 0; n <= 70; n++) expect(merkleRoot(leaves.slice(0, n))).toBe(refMth(leaves.slice(0, n)));
  });

  it('refuses leaves that are not lowercase hex hashes', () => {
    expect(() => merkleRoot([CT_LEAVES[0]!.toUpperCase()])).toThrow(TypeError);
    expect(() => merkleRoot(['abc'])).toThrow(TypeError);
  });
});

describe(inclusionPathRanges.name, () => {
  // RFC 9162 §2.1.5: the audit paths in the tree of 7 leaves, as leaf ranges.
  it('names the subtrees of the RFC example', () => {
    expect(inclusionPathRanges(0, 7)).toEqual([{ start: 1, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 7 }]);
    expect(inclusionPathRanges(3, 7)).toEqual([{ start: 2, end: 3 }, { start: 0, end: 2 }, { start: 4, end: 7 }]);
    expect(inclusionPathRanges(4, 7)).toEqual([{ start: 5, end: 6 }, { start: 6, end: 7 }, { start: 0, end: 4 }]);
    expect(inclusionPathRanges(6, 7)).toEqual([{ start: 4, end: 6 }, { start: 0, end: 4 }]);
  });
});

describe(consistencyPathRanges.name, () => {
  it('names the subtrees of the RFC example', () => {
    expect(consistencyPathRanges(3, 7)).toEqual([
      { start: 2, end: 3 },
      { start: 3, end: 4 },
      { start: 0, end: 2 },
      { start: 4, end: 7 },
    ]);
    expect(consistencyPathRanges(4, 7)).toEqual([{ start: 4, end: 7 }]);
    expect(consistencyPathRanges(6, 7)).toEqual([{ start: 4, end: 6 }, { start: 6, end: 7 }, { start: 0, end: 4 }]);
  });
});

describe(inclusionPath.name, () => {
  it('reproduces the certificate-transparency audit paths', () => {
    for (const { index, size, path } of CT_INCLUSION) expect(inclusionPath(CT_LEAVES.slice(0, size), index)).toEqual(path);
  });

  it('matches the recursive definition for every leaf of every size up to 40', () => {
    const leaves = leavesOf(40);
    for (let n = 1; n <= 40; n++) {
      const d = leaves.slice(0, n);
      for (let m = 0; m < n; m++) expect(inclusionPath(d, m)).toEqual(refPath(m, d));
    }
  });

  it('throws a RangeError for an index outside the tree', () => {
    const leaves = leavesOf(5);
    for (const index of [-1, 5, 6, 1.5, Number.NaN]) expect(() => inclusionPath(leaves, index)).toThrow(RangeError);
    expect(() => inclusionPath([], 0)).toThrow(RangeError);
  });
});

describe(consistencyPath.name, () => {
  it('reproduces the certificate-transparency consistency proofs', () => {
    for (const { from, to, proof } of CT_CONSISTENCY) expect(consistencyPath(CT_LEAVES.slice(0, to), from)).toEqual(proof);
  });

  it('matches the recursive definition for every pair of sizes up to 40', () => {
    const leaves = leavesOf(40);
    for (let n = 1; n <= 40; n++) {
      const d = leaves.slice(0, n);
      for (let m = 1; m <= n; m++) expect(consistencyPath(d, m)).toEqual(refProof(m, d));
    }
  });

  it('throws a RangeError unless 0 < from <= n', () => {
    const leaves = leavesOf(5);
    for (const from of [0, -1, 6, 2.5, Number.NaN]) expect(() => consistencyPath(leaves, from)).toThrow(RangeError);
    expect(() => consistencyPath([], 0)).toThrow(RangeError);
  });
});

describe(verifyInclusion.name, () => {
  it('accepts the certificate-transparency audit paths', () => {
    for (const { index, size, path } of CT_INCLUSION) {
      const check = { leafHash: CT_LEAVES[index]!, index, treeSize: size, auditPath: path, rootHash: rootOf(size) };
      expect(verifyInclusion(check)).toBe(true);
    }
  });

  it('proves every leaf and rejects any change to leaf, index, path or size', () => {
    const sizes = fc.record({ n: fc.integer({ min: 1, max: 200 }), seed: fc.string({ maxLength: 8 }) });
    fc.assert(
      fc.property(sizes, ({ n, seed }) => {
        const leaves = leavesOf(n, seed);
        const tree = memoTree(leaves);
        const rootHash = merkleRoot(leaves);
        for (let index = 0; index < n; index++) {
          const auditPath = treeInclusionPath(tree, index);
          const good = { leafHash: leaves[index]!, index, treeSize: n, auditPath, rootHash };
          expect(auditPath.length).toBeLessThanOrEqual(ceilLog2(n));
          expect(verifyInclusion(good)).toBe(true);
          expect(verifyInclusion({ ...good, leafHash: tamper(good.leafHash) })).toBe(false);
          expect(verifyInclusion({ ...good, rootHash: tamper(rootHash) })).toBe(false);
          for (const other of [index - 1, index + 1, n]) expect(verifyInclusion({ ...good, index: other })).toBe(false);
          for (let i = 0; i < auditPath.length; i++) {
            expect(verifyInclusion({ ...good, auditPath: replaceAt(auditPath, i, tamper(auditPath[i]!)) })).toBe(false);
          }
          if (n > 1) expect(verifyInclusion({ ...good, auditPath: auditPath.slice(1) })).toBe(false);
          expect(verifyInclusion({ ...good, auditPath: [...auditPath, rootHash] })).toBe(false);
          // Only sizes of another height: a size whose path has the same shape (3 and 4 for leaf 0) verifies
          // against the same root, which is why a size is trusted only together with its signed root.
          expect(verifyInclusion({ ...good, treeSize: n * 2 })).toBe(false);
          if (index < Math.floor(n / 2)) expect(verifyInclusion({ ...good, treeSize: Math.floor(n / 2) })).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('returns false for malformed input instead of throwing', () => {
    const good = { leafHash: CT_LEAVES[0]!, index: 0, treeSize: 8, auditPath: CT_INCLUSION[0]!.path, rootHash: rootOf(8) };
    const bad: Array<Partial<Record<keyof typeof good, unknown>>> = [
      { leafHash: good.leafHash.toUpperCase() },
      { leafHash: 'zz' },
      { rootHash: good.rootHash.slice(2) },
      { auditPath: ['00', ...good.auditPath.slice(1)] },
      { auditPath: null },
      { auditPath: [42] },
      { index: -1 },
      { index: 8 },
      { index: 0.5 },
      { treeSize: 0 },
      { treeSize: Number.POSITIVE_INFINITY },
      { treeSize: '8' },
    ];
    for (const change of bad) expect(verifyInclusion({ ...good, ...change } as typeof good)).toBe(false);
  });
});

describe(verifyConsistency.name, () => {
  it('accepts the certificate-transparency consistency proofs', () => {
    for (const { from, to, proof } of CT_CONSISTENCY) {
      expect(verifyConsistency({ from, to, fromRoot: rootOf(from), toRoot: rootOf(to), proof })).toBe(true);
    }
  });

  it('proves every prefix and rejects any change to either root, the proof, from, or the height of to', () => {
    const sizes = fc.record({ n: fc.integer({ min: 1, max: 200 }), seed: fc.string({ maxLength: 8 }) });
    fc.assert(
      fc.property(sizes, ({ n, seed }) => {
        const leaves = leavesOf(n, seed);
        const tree = memoTree(leaves);
        const toRoot = merkleRoot(leaves);
        for (let from = 1; from <= n; from++) {
          const proof = treeConsistencyPath(tree, from);
          const good = { from, to: n, fromRoot: tree.subtreeHash(0, from), toRoot, proof };
          expect(proof.length).toBeLessThanOrEqual(ceilLog2(n) + 1);
          expect(verifyConsistency(good)).toBe(true);
          expect(verifyConsistency({ ...good, fromRoot: tamper(good.fromRoot) })).toBe(false);
          expect(verifyConsistency({ ...good, toRoot: tamper(toRoot) })).toBe(false);
          for (let i = 0; i < proof.length; i++) {
            expect(verifyConsistency({ ...good, proof: replaceAt(proof, i, tamper(proof[i]!)) })).toBe(false);
          }
          expect(verifyConsistency({ ...good, proof: [...proof, toRoot] })).toBe(false);
          for (const other of [from - 1, from + 1]) expect(verifyConsistency({ ...good, from: other })).toBe(false);
          if (from < n) expect(verifyConsistency({ ...good, to: n * 2 })).toBe(false);
          if (from < n) expect(verifyConsistency({ ...good, proof: proof.slice(0, -1) })).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('accepts from = to only with an empty proof and equal roots', () => {
    const root = rootOf(5);
    expect(verifyConsistency({ from: 5, to: 5, fromRoot: root, toRoot: root, proof: [] })).toBe(true);
    expect(verifyConsistency({ from: 5, to: 5, fromRoot: root, toRoot: rootOf(4), proof: [] })).toBe(false);
    expect(verifyConsistency({ from: 5, to: 5, fromRoot: root, toRoot: root, proof: [root] })).toBe(false);
  });

  it('rejects an empty proof between different sizes, also from a power of two', () => {
    expect(verifyConsistency({ from: 4, to: 8, fromRoot: rootOf(4), toRoot: rootOf(8), proof: [] })).toBe(false);
    expect(verifyConsistency({ from: 3, to: 8, fromRoot: rootOf(3), toRoot: rootOf(8), proof: [] })).toBe(false);
  });

  it('returns false for malformed input instead of throwing', () => {
    const good = { from: 6, to: 8, fromRoot: rootOf(6), toRoot: rootOf(8), proof: CT_CONSISTENCY[2]!.proof };
    const bad: Array<Partial<Record<keyof typeof good, unknown>>> = [
      { from: 0 },
      { from: 9 },
      { from: -6 },
      { to: 5 },
      { from: 6.5 },
      { to: Number.NaN },
      { fromRoot: good.fromRoot.toUpperCase() },
      { toRoot: '' },
      { proof: [...good.proof.slice(1), 'not hex'] },
      { proof: undefined },
    ];
    for (const change of bad) expect(verifyConsistency({ ...good, ...change } as typeof good)).toBe(false);
  });
});

describe(treeInclusionPath.name, () => {
  /** Every leaf the same hash: a subtree's hash then depends only on its size, so huge trees are cheap. */
  function uniformTree(size: number, leaf: string): MerkleTree & { root: string } {
    const memo = new Map<number, string>([[1, leaf]]);
    const mth = (n: number): string => {
      const known = memo.get(n);
      if (known !== undefined) return known;
      const k = refK(n);
      const hash = refNodeHash(mth(k), mth(n - k));
      memo.set(n, hash);
      return hash;
    };
    return { size, root: mth(size), subtreeHash: (start, end) => mth(end - start) };
  }

  it('reads one subtree hash per path element, also beyond 32-bit sizes', () => {
    const leaf = CT_LEAVES[1]!;
    const tree = uniformTree(2 ** 41 + 3, leaf);
    const reads: Array<[number, number]> = [];
    const counted: MerkleTree = { size: tree.size, subtreeHash: (start, end) => (reads.push([start, end]), tree.subtreeHash(start, end)) };
    for (const index of [0, 2 ** 32 + 5, 2 ** 41 + 2]) {
      reads.length = 0;
      const auditPath = treeInclusionPath(counted, index);
      expect(auditPath.length).toBeLessThanOrEqual(42);
      expect(reads).toHaveLength(auditPath.length);
      expect(verifyInclusion({ leafHash: leaf, index, treeSize: tree.size, auditPath, rootHash: tree.root })).toBe(true);
    }
    const from = 2 ** 33 + 7;
    const proof = treeConsistencyPath(tree, from);
    const fromRoot = uniformTree(from, leaf).root;
    expect(verifyConsistency({ from, to: tree.size, fromRoot, toRoot: tree.root, proof })).toBe(true);
  });
});

describe(LeafArrayTree.name, () => {
  it('answers subtree hashes inside the tree only', () => {
    const sut = new LeafArrayTree(CT_LEAVES);
    expect(sut.subtreeHash(0, 4)).toBe(rootOf(4));
    expect(sut.subtreeHash(2, 3)).toBe(CT_LEAVES[2]);
    for (const [start, end] of [[0, 0], [3, 2], [0, 9], [-1, 2], [0.5, 2]]) {
      expect(() => sut.subtreeHash(start!, end!)).toThrow(RangeError);
    }
  });

  it('keeps its own copy of the leaves', () => {
    const leaves = [...CT_LEAVES];
    const sut = new LeafArrayTree(leaves);
    leaves[0] = CT_LEAVES[1]!;
    expect(sut.subtreeHash(0, 8)).toBe(rootOf(8));
  });
});

describe('storedSubtrees', () => {
  it('covers each range of a proof exactly, left to right, with at most 2·log2 n complete aligned subtrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 4999 }), (size, at) => {
        const seq = at % size;
        const ranges = [{ start: 0, end: size }, ...inclusionPathRanges(seq, size), ...(seq > 0 ? consistencyPathRanges(seq, size) : [])];
        for (const { start, end } of ranges) {
          const parts = storedSubtrees(start, end);
          let next = start;
          for (const { level, idx } of parts) {
            expect(idx * 2 ** level).toBe(next);
            next += 2 ** level;
          }
          expect(next).toBe(end);
          expect(parts.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(end - start + 1)));
        }
      }),
    );
  });
});
