import { verifyConsistency } from '../merkle.js';
import { BrokerClient, type BrokerClientOptions } from './broker-client.js';
import { checkCheckpointNote, type CheckedCheckpoint } from './checkpoint-check.js';
import { checkEntries, type EntryProgress } from './entries-check.js';
import type { Pins } from './pins.js';
import type { RememberedCheckpoint } from './state.js';

export interface MonitorOptions extends BrokerClientOptions {
  readonly pins: Pins;
  /** The last checkpoint this monitor verified for `pins.origin`; undefined on first use. */
  readonly remembered?: RememberedCheckpoint;
  /** POST a checkpoint first, so that everything logged so far is covered (default true). */
  readonly newCheckpoint?: boolean;
  /** Stream and re-hash every entry up to the checkpoint (default true). */
  readonly entries?: boolean;
  readonly onProgress?: (progress: EntryProgress) => void;
  readonly now?: () => Date;
}

/** The monitor's answer, printed as it is by the CLI (snake_case like the broker's API). */
export interface MonitorReport {
  readonly ok: boolean;
  readonly origin: string;
  /** Size of the checkpoint checked; null when no checkpoint signed by the pinned log key was read. */
  readonly tree_size: number | null;
  /** Size of the remembered checkpoint; null on first use. */
  readonly previous_size: number | null;
  /** No checkpoint was remembered: this one is trusted on first use (its signatures still must verify). */
  readonly first_use: boolean;
  /** Valid cosignatures from distinct pinned witnesses. */
  readonly cosignatures: number;
  readonly cosigned_by: readonly string[];
  readonly quorum: number;
  /** Entries read and re-hashed; null when the entries were not checked. */
  readonly entries: number | null;
  readonly problems: readonly string[];
}

export interface MonitorOutcome {
  readonly report: MonitorReport;
  /** What to remember for the next run: present only when everything verified. */
  readonly verified?: RememberedCheckpoint;
}

/**
 * One run of a Certificate-Transparency-style monitor over the broker's ledger: the checkpoint
 * must be signed by the pinned log key and cosigned by a quorum of pinned witnesses, must extend
 * the remembered checkpoint (no rollback, no rewrite), and must be the root of the entries the
 * broker exports, each re-hashed from its content.
 */
export async function monitorLedger(options: MonitorOptions): Promise<MonitorOutcome> {
  const { pins, remembered } = options;
  const client = new BrokerClient(options);
  const problems: string[] = [];
  let checkpoint: CheckedCheckpoint | undefined;
  let entries: number | null = null;
  try {
    const note = options.newCheckpoint === false ? await client.latestCheckpointNote() : await client.newCheckpointNote();
    const checked = await checkCheckpointNote(note, pins);
    checkpoint = checked.checkpoint;
    problems.push(...checked.problems);
    if (checkpoint !== undefined) {
      problems.push(...(await consistencyProblems(client, remembered, checkpoint)));
      if (options.entries !== false) {
        const result = await checkEntries(client.exportRows(), checkpoint, options.onProgress);
        entries = result.entries;
        problems.push(...result.problems);
      }
    }
  } catch (err) {
    problems.push(`cannot complete the check: ${err instanceof Error ? err.message : String(err)}`);
  }
  const report: MonitorReport = {
    ok: problems.length === 0,
    origin: pins.origin,
    tree_size: checkpoint?.size ?? null,
    previous_size: remembered?.size ?? null,
    first_use: remembered === undefined,
    cosignatures: checkpoint?.cosigners.length ?? 0,
    cosigned_by: checkpoint?.cosigners ?? [],
    quorum: pins.quorum,
    entries,
    problems,
  };
  if (!report.ok || checkpoint === undefined) return { report };
  const verifiedAt = (options.now ?? (() => new Date()))().toISOString();
  return { report, verified: { size: checkpoint.size, root_hash: checkpoint.rootHash, note: checkpoint.note, verified_at: verifiedAt } };
}

/** The new checkpoint must extend the remembered one: RFC 9162 §2.1.4, verified here, the proof only fetched. */
async function consistencyProblems(client: BrokerClient, remembered: RememberedCheckpoint | undefined, current: CheckedCheckpoint): Promise<string[]> {
  if (remembered === undefined) return [];
  const [from, to] = [remembered.size, current.size];
  if (to < from) return [`checkpoint ${to} is smaller than the remembered checkpoint ${from} (rollback)`];
  if (to === from) {
    return current.rootHash === remembered.root_hash ? [] : [`checkpoint ${to} has another root than the remembered checkpoint ${from} (history rewritten)`];
  }
  // Every tree extends the empty one.
  if (from === 0) return [];
  const proof = await client.consistencyProof(from, to);
  const consistent =
    proof.from === from && proof.to === to && verifyConsistency({ from, to, fromRoot: remembered.root_hash, toRoot: current.rootHash, proof: proof.proof });
  return consistent ? [] : [`checkpoint ${to} is not consistent with the remembered checkpoint ${from} (history rewritten)`];
}
