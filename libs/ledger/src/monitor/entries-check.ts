import { leafHash, type LedgerEntry } from '../entry.js';
import { MerkleFrontier } from '../frontier.js';
import { isHashHex } from '../merkle.js';
import type { ExportRow } from './broker-client.js';

export interface EntryProgress {
  readonly checked: number;
  readonly total: number;
}

export interface EntriesCheck {
  /** How many entries were read and re-hashed. */
  readonly entries: number;
  readonly problems: readonly string[];
}

/** Past this many, entries whose content does not match are counted rather than listed one by one. */
const LISTED_MISMATCHES = 20;

/**
 * Re-hashes the first `size` entries of the export from their content, checks that they are the
 * leaves 0, 1, 2, … with nothing missing or repeated, folds them into a right-edge frontier and
 * compares its root with the checkpoint's. Memory is O(log size): only the frontier is kept.
 */
export async function checkEntries(
  rows: AsyncIterable<ExportRow>,
  checkpoint: { readonly size: number; readonly rootHash: string },
  onProgress?: (progress: EntryProgress) => void,
): Promise<EntriesCheck> {
  const { size, rootHash } = checkpoint;
  const frontier = new MerkleFrontier();
  const problems: string[] = [];
  let mismatches = 0;
  let broken: string | undefined;
  if (size > 0) {
    for await (const { line, value } of rows) {
      const row = exportRow(value);
      broken = row === undefined ? `export line ${line}: not an {entry, leaf_hash} row` : seqProblem(row.entry.seq, frontier.size);
      if (row === undefined || broken !== undefined) break;
      const seq = row.entry.seq;
      const recomputed = leafHash(row.entry);
      if (recomputed !== row.leaf_hash && ++mismatches <= LISTED_MISMATCHES) problems.push(`entry ${seq}: content does not match its leaf hash`);
      // The tree is rebuilt from what the entries say, so a changed entry shows even when its row kept the old hash.
      frontier.append(recomputed);
      onProgress?.({ checked: frontier.size, total: size });
      if (frontier.size === size) break;
    }
  }
  if (mismatches > LISTED_MISMATCHES) problems.push(`… and ${mismatches - LISTED_MISMATCHES} more entries whose content does not match their leaf hash`);
  if (broken !== undefined) problems.push(broken);
  else if (frontier.size < size) problems.push(`the export ended after ${frontier.size} of the checkpoint's ${size} entries`);
  else if (frontier.root() !== rootHash) problems.push(`tree of ${size}: recomputed root differs from the signed root`);
  return { entries: frontier.size, problems };
}

/** The export must be leaves 0, 1, 2, …: a gap or a repeat leaves no tree to compare. */
function seqProblem(seq: number, expected: number): string | undefined {
  if (seq > expected + 1) return `entries ${expected}–${seq - 1}: missing from the export`;
  if (seq > expected) return `entry ${expected}: missing from the export`;
  if (seq < expected) return `entry ${seq}: out of order or repeated after entry ${expected - 1}`;
  return undefined;
}

function exportRow(value: unknown): { entry: LedgerEntry; leaf_hash: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { entry, leaf_hash } = value as { entry?: unknown; leaf_hash?: unknown };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !isHashHex(leaf_hash)) return undefined;
  const seq = (entry as { seq?: unknown }).seq;
  return Number.isSafeInteger(seq) && (seq as number) >= 0 ? { entry: entry as LedgerEntry, leaf_hash } : undefined;
}
