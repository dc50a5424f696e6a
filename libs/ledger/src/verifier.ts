import type { JWK } from 'jose';
import { verifyCheckpoint, checkpointSchema, type Checkpoint } from './checkpoint.js';
import { leafHash, type LedgerEntry } from './entry.js';
import { merkleRoot } from './merkle.js';
import { verifyConsistencyProof } from './proofs.js';

/**
 * The independent verifier (SPEC §8): it trusts nothing the broker computed. It uses only the HTTP
 * API and the broker's published keys: every checkpoint's signature, each checkpoint consistent
 * with the one before it, and every entry re-hashed from its content, the leaves contiguous from 0
 * and their root equal to the latest signed root.
 */

export interface VerifierOptions {
  readonly url: string;
  readonly key: string;
  /** Sign a fresh checkpoint first, so that every entry so far is covered. */
  readonly newCheckpoint: boolean;
  readonly fetch?: typeof fetch;
}

export interface VerifierReport {
  readonly ok: boolean;
  readonly checkpoints: number;
  readonly entries: number;
  readonly treeSize: number;
  readonly problems: string[];
}

interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export async function verifyLedger(options: VerifierOptions): Promise<VerifierReport> {
  const get = async <T>(path: string, method = 'GET'): Promise<T> => {
    const response = await (options.fetch ?? fetch)(`${options.url}${path}`, { method, headers: { authorization: `Bearer ${options.key}` } });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const problems: string[] = [];
  if (options.newCheckpoint) await get('/v1/audit/checkpoints', 'POST');
  const keys = (await get<{ keys: JWK[] }>('/.well-known/jwks.json')).keys.filter((k) => k.kty === 'OKP');
  const checkpoints = await collect<Checkpoint>(get, '/v1/audit/checkpoints?limit=100');
  checkpoints.sort((a, b) => a.tree_size - b.tree_size);
  for (const checkpoint of checkpoints) {
    const parsed = checkpointSchema.safeParse(checkpoint);
    const key = keys.find((k) => k.kid === checkpoint.key_id);
    if (!parsed.success || key === undefined || !(await verifyCheckpoint(parsed.data, key))) {
      problems.push(`checkpoint ${checkpoint.tree_size}: signature does not verify with a published key`);
    }
  }
  for (let i = 1; i < checkpoints.length; i++) {
    const [older, newer] = [checkpoints[i - 1], checkpoints[i]];
    if (older === undefined || newer === undefined || older.tree_size === 0) continue;
    const proof = await get<{ from: number; to: number; proof: string[] }>(`/v1/audit/proofs/consistency?from=${older.tree_size}&to=${newer.tree_size}`);
    if (!verifyConsistencyProof(proof, older.root_hash, newer.root_hash)) {
      problems.push(`checkpoints ${older.tree_size} → ${newer.tree_size}: not consistent (history rewritten)`);
    }
  }
  const latest = checkpoints.at(-1);
  const rows = await collect<{ entry: LedgerEntry; leaf_hash: string }>(get, '/v1/audit/entries?limit=500');
  const leaves: string[] = [];
  for (const row of rows) {
    const recomputed = leafHash(row.entry);
    if (recomputed !== row.leaf_hash) problems.push(`entry ${row.entry.seq}: content does not match its leaf hash`);
    leaves[row.entry.seq] = recomputed;
  }
  const treeSize = latest?.tree_size ?? 0;
  for (let seq = 0; seq < treeSize; seq++) if (leaves[seq] === undefined) problems.push(`entry ${seq}: missing`);
  if (latest !== undefined && problems.length === 0 && merkleRoot(leaves.slice(0, treeSize)) !== latest.root_hash) {
    problems.push(`tree of ${treeSize}: recomputed root differs from the signed root`);
  }
  return { ok: problems.length === 0, checkpoints: checkpoints.length, entries: rows.length, treeSize, problems };
}

async function collect<T>(get: <R>(path: string) => Promise<R>, first: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await get<Page<T>>(cursor === null ? first : `${first}&cursor=${cursor}`);
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}
