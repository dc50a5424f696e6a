import { z } from 'zod';
import { HASH_HEX, verifyConsistency, verifyInclusion } from './merkle.js';

const hashHex = z.string().regex(HASH_HEX);

/** SPEC §8, RFC 9162 §2.1.3: entry `seq` is leaf `seq` of the tree of `tree_size` leaves. */
export const inclusionProofSchema = z
  .object({
    seq: z.number().int().min(0),
    tree_size: z.number().int().min(1),
    leaf_hash: hashHex,
    audit_path: z.array(hashHex),
  })
  .refine((p) => p.seq < p.tree_size, { message: 'seq must be below tree_size', path: ['seq'] });

/** SPEC §8, RFC 9162 §2.1.4: the tree of `to` leaves extends the tree of its first `from` leaves. */
export const consistencyProofSchema = z
  .object({
    from: z.number().int().min(1),
    to: z.number().int().min(1),
    proof: z.array(hashHex),
  })
  .refine((p) => p.from <= p.to, { message: 'from must not exceed to', path: ['from'] });

export type InclusionProof = z.infer<typeof inclusionProofSchema>;
export type ConsistencyProof = z.infer<typeof consistencyProofSchema>;

/**
 * Whether the proof leads from its `leaf_hash` to `rootHash`. The caller still checks that
 * `tree_size` is the size of the checkpoint `rootHash` came from and that `leaf_hash` is the entry's.
 */
export function verifyInclusionProof(proof: InclusionProof, rootHash: string): boolean {
  const parsed = inclusionProofSchema.safeParse(proof);
  if (!parsed.success) return false;
  const { seq, tree_size, leaf_hash, audit_path } = parsed.data;
  return verifyInclusion({ leafHash: leaf_hash, index: seq, treeSize: tree_size, auditPath: audit_path, rootHash });
}

/** Whether the tree with root `toRoot` (`to` leaves) extends the one with root `fromRoot` (`from` leaves). */
export function verifyConsistencyProof(proof: ConsistencyProof, fromRoot: string, toRoot: string): boolean {
  const parsed = consistencyProofSchema.safeParse(proof);
  if (!parsed.success) return false;
  const { from, to, proof: path } = parsed.data;
  return verifyConsistency({ from, to, fromRoot, toRoot, proof: path });
}
