import { NOTE_COSIGNATURE_V1, NOTE_ED25519, parseVerifierKey, type VerifierKey } from '../note.js';
import { MonitorUsageError, type MonitorState } from './state.js';

/**
 * The keys a monitor trusts come from its operator (flags) or from its own state file, never from
 * the log it watches: a log that could hand out its own keys could re-sign any history it likes.
 */
export interface PinFlags {
  readonly logKey?: string;
  readonly witnesses?: readonly string[];
  readonly quorum?: number;
  /** Which remembered log to check when no `logKey` names it and the state holds several. */
  readonly origin?: string;
  /** Replace what the state pinned by what the flags say. */
  readonly repin?: boolean;
}

export interface Pins {
  /** The checkpoint origin, which is also the log key's name. */
  readonly origin: string;
  readonly logKey: VerifierKey;
  readonly witnesses: readonly VerifierKey[];
  /** How many distinct pinned witnesses must have cosigned. */
  readonly quorum: number;
}

export function resolvePins(flags: PinFlags, state: MonitorState | undefined): Pins {
  const logKey = flags.logKey === undefined ? undefined : verifierKey(flags.logKey, NOTE_ED25519, '--log-key');
  const witnesses = flags.witnesses?.map((w) => verifierKey(w, NOTE_COSIGNATURE_V1, '--witness'));
  const origin = logKey?.name ?? flags.origin ?? onlyOrigin(state);
  if (flags.origin !== undefined && flags.origin !== origin) {
    throw new MonitorUsageError(`--origin ${flags.origin} is not the name of the --log-key (${origin})`);
  }
  const stored = state?.logs[origin];
  if (stored === undefined) {
    if (logKey === undefined) throw new MonitorUsageError(`no log key pinned for ${origin}: pass --log-key <vkey> on the first run`);
    return withQuorum(origin, logKey, witnesses ?? [], flags.quorum);
  }
  const storedLogKey = verifierKey(stored.log_key, NOTE_ED25519, 'the state file');
  const storedWitnesses = stored.witnesses.map((w) => verifierKey(w, NOTE_COSIGNATURE_V1, 'the state file'));
  const differences = [
    logKey !== undefined && logKey.text !== storedLogKey.text ? 'the log key' : undefined,
    witnesses !== undefined && !sameKeys(witnesses, storedWitnesses) ? 'the witnesses' : undefined,
    flags.quorum !== undefined && flags.quorum !== stored.quorum ? `the quorum (${stored.quorum} pinned, ${flags.quorum} asked)` : undefined,
  ].filter((d) => d !== undefined);
  if (differences.length === 0) return withQuorum(origin, storedLogKey, storedWitnesses, stored.quorum);
  if (flags.repin !== true) {
    throw new MonitorUsageError(`the flags disagree with the keys pinned in the state file for ${origin} (${differences.join(', ')}): pass --repin to replace them`);
  }
  // A quorum pinned for the old witnesses says nothing about new ones: unless given, it becomes "all of them" again.
  const quorum = flags.quorum ?? (witnesses === undefined ? stored.quorum : undefined);
  return withQuorum(origin, logKey ?? storedLogKey, witnesses ?? storedWitnesses, quorum);
}

/** The number of distinct witnesses among the keys: one witness with two keys still counts once. */
export function witnessCount(witnesses: readonly VerifierKey[]): number {
  return new Set(witnesses.map((w) => w.name)).size;
}

function withQuorum(origin: string, logKey: VerifierKey, witnesses: readonly VerifierKey[], quorum: number | undefined): Pins {
  const unique = [...new Map(witnesses.map((w) => [w.text, w])).values()];
  const count = witnessCount(unique);
  const q = quorum ?? count;
  if (!Number.isSafeInteger(q) || q < 0) throw new MonitorUsageError(`the quorum must be a whole number ≥ 0, not ${q}`);
  if (q > count) throw new MonitorUsageError(`a quorum of ${q} cannot be met by ${count} pinned witness${count === 1 ? '' : 'es'}`);
  return { origin, logKey, witnesses: unique, quorum: q };
}

function verifierKey(vkey: string, type: number, where: string): VerifierKey {
  let key: VerifierKey;
  try {
    key = parseVerifierKey(vkey);
  } catch (err) {
    throw new MonitorUsageError(`${where}: ${JSON.stringify(vkey)} is not a note verifier key (name+keyid+base64 key)`, { cause: err });
  }
  if (key.type !== type) {
    const wanted = type === NOTE_ED25519 ? 'an Ed25519 note key (type 0x01)' : 'a cosignature/v1 key (type 0x04)';
    throw new MonitorUsageError(`${where}: the key ${key.name} is not ${wanted}`);
  }
  return key;
}

function onlyOrigin(state: MonitorState | undefined): string {
  const origins = Object.keys(state?.logs ?? {});
  const [origin] = origins;
  if (origin === undefined) throw new MonitorUsageError('no log key pinned: pass --log-key <vkey> on the first run');
  if (origins.length > 1) throw new MonitorUsageError(`the state file remembers several logs (${origins.join(', ')}): name one with --origin or --log-key`);
  return origin;
}

function sameKeys(a: readonly VerifierKey[], b: readonly VerifierKey[]): boolean {
  const [x, y] = [new Set(a.map((k) => k.text)), new Set(b.map((k) => k.text))];
  return x.size === y.size && [...x].every((k) => y.has(k));
}
