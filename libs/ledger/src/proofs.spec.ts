import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyPath, inclusionPath, merkleRoot } from './merkle.js';
import {
  consistencyProofSchema,
  inclusionProofSchema,
  verifyConsistencyProof,
  verifyInclusionProof,
  type ConsistencyProof,
  type InclusionProof,
} from './proofs.js';

const leaves = Array.from({ length: 11 }, (_, i) =>
  createHash('sha256').update(Buffer.from([0])).update(`entry ${i}`).digest('hex'),
);

describe(verifyInclusionProof.name, () => {
  const proof: InclusionProof = { seq: 6, tree_size: 11, leaf_hash: leaves[6]!, audit_path: inclusionPath(leaves, 6) };

  it('checks an inclusion proof as the API words it against a root', () => {
    expect(verifyInclusionProof(proof, merkleRoot(leaves))).toBe(true);
    expect(verifyInclusionProof(proof, merkleRoot(leaves.slice(0, 10)))).toBe(false);
    expect(verifyInclusionProof({ ...proof, seq: 7 }, merkleRoot(leaves))).toBe(false);
  });

  it('returns false for a proof that does not parse', () => {
    const bad = [{ ...proof, seq: 11 }, { ...proof, tree_size: 0 }, { ...proof, audit_path: 'x' }, null];
    for (const p of bad) expect(verifyInclusionProof(p as InclusionProof, merkleRoot(leaves))).toBe(false);
  });
});

describe(verifyConsistencyProof.name, () => {
  const proof: ConsistencyProof = { from: 5, to: 11, proof: consistencyPath(leaves, 5) };
  const fromRoot = merkleRoot(leaves.slice(0, 5));
  const toRoot = merkleRoot(leaves);

  it('checks a consistency proof as the API words it against both roots', () => {
    expect(verifyConsistencyProof(proof, fromRoot, toRoot)).toBe(true);
    expect(verifyConsistencyProof(proof, toRoot, fromRoot)).toBe(false);
  });

  it('returns false for a proof that does not parse', () => {
    const bad = [{ ...proof, from: 0 }, { ...proof, from: 12 }, { from: 5, to: 11 }, undefined];
    for (const p of bad) expect(verifyConsistencyProof(p as ConsistencyProof, fromRoot, toRoot)).toBe(false);
  });
});

describe('proof schemas', () => {
  it('enforce seq < tree_size and 0 < from <= to', () => {
    expect(inclusionProofSchema.safeParse({ seq: 3, tree_size: 3, leaf_hash: leaves[0], audit_path: [] }).success).toBe(false);
    expect(consistencyProofSchema.safeParse({ from: 0, to: 3, proof: [] }).success).toBe(false);
    expect(consistencyProofSchema.safeParse({ from: 4, to: 3, proof: [] }).success).toBe(false);
    expect(consistencyProofSchema.safeParse({ from: 3, to: 3, proof: [] }).success).toBe(true);
  });
});
