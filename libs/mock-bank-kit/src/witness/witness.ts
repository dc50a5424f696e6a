import {
  EMPTY_TREE_ROOT, NOTE_COSIGNATURE_V1, NOTE_ED25519, cosignCheckpoint, formatNote, parseVerifierKey, verifierKeyOfJwk,
  verifyConsistency, verifyNoteSignature, type VerifierKey,
} from '@kyc/ledger';
import type { JWK } from 'jose';
import { parseAddCheckpointRequest, type AddCheckpointRequest } from './add-checkpoint-request.js';
import type { WitnessRecord, WitnessStore } from './witness-store.js';

/** An HTTP answer of the witness, independent of the server that writes it. */
export interface WitnessReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface WitnessLog {
  readonly origin: string;
  /** The log's Ed25519 public key; its note key name is the origin. */
  readonly publicJwk: JWK;
}

export interface WitnessOptions {
  readonly name: string;
  readonly privateJwk: JWK;
  readonly logs: readonly WitnessLog[];
  readonly store: WitnessStore;
  /** POSIX seconds for the cosignature timestamp. */
  readonly now?: () => number;
}

export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
const TEXT = 'text/plain; charset=utf-8';

/**
 * A C2SP tlog-witness (c2sp.org/tlog-witness): cosigns a log's checkpoint (cosignature/v1) only
 * when it is consistent with the latest one it cosigned for that origin, and remembers that one.
 */
export class Witness {
  /** The cosigner vkey (type 0x04) that verifies this witness's cosignatures. */
  readonly vkey: string;
  private readonly logs: ReadonlyMap<string, VerifierKey>;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: WitnessOptions) {
    this.vkey = verifierKeyOfJwk(options.name, NOTE_COSIGNATURE_V1, options.privateJwk);
    this.logs = new Map(options.logs.map((log) => [log.origin, parseVerifierKey(verifierKeyOfJwk(log.origin, NOTE_ED25519, log.publicJwk))]));
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** `POST <prefix>/add-checkpoint`, the checks in the order of the spec. */
  async addCheckpoint(body: Uint8Array): Promise<WitnessReply> {
    let request: AddCheckpointRequest;
    try {
      request = parseAddCheckpointRequest(body);
    } catch (error) {
      if (error instanceof TypeError) return text(400, error.message);
      throw error;
    }
    const { origin, size } = request.checkpoint;
    const logKey = this.logs.get(origin);
    if (!logKey) return text(404, 'unknown log origin');
    if (!(await verifyNoteSignature(request.note, logKey))) return text(403, 'no valid signature by the log key');
    if (request.oldSize > size) return text(400, 'the old size is larger than the checkpoint size');
    return this.serialized(origin, () => this.cosignIfConsistent(request, logKey));
  }

  /** `GET <prefix>/<origin hash>/checkpoint`: the latest checkpoint cosigned for that log. */
  async latestCheckpoint(originHash: string): Promise<WitnessReply> {
    const record = await this.options.store.readByHash(originHash);
    return record ? { status: 200, contentType: TEXT, body: record.note } : text(404, 'no checkpoint cosigned for this log');
  }

  /** Check against the stored state and persist the new one in one turn per origin. */
  private async cosignIfConsistent(request: AddCheckpointRequest, logKey: VerifierKey): Promise<WitnessReply> {
    const { origin, size, rootHash } = request.checkpoint;
    const latest = await this.options.store.read(origin);
    const held = latest?.size ?? 0;
    if (request.oldSize !== held) return { status: 409, contentType: TLOG_SIZE_CONTENT_TYPE, body: `${held}\n` };
    const inconsistency = inconsistencyOf(request, latest);
    if (inconsistency) return text(422, inconsistency);
    const cosignature = await cosignCheckpoint(request.note.body, this.options.name, this.options.privateJwk, this.now());
    const logLines = new Set(request.note.signatures.filter((s) => s.name === logKey.name && s.keyId.equals(logKey.keyId)).map((s) => s.line));
    const note = formatNote(request.note.body, [...logLines, cosignature]);
    await this.options.store.write({ origin, size, root_hash: rootHash, note });
    return { status: 200, contentType: TEXT, body: cosignature };
  }

  /** A promise chain per origin: the next request of a log starts when the previous one ended. */
  private serialized<T>(origin: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(origin) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.catch(() => undefined);
    this.queues.set(origin, tail);
    void tail.then(() => {
      if (this.queues.get(origin) === tail) this.queues.delete(origin);
    });
    return result;
  }
}

/** Why the checkpoint does not extend the held one (the old size already equals the held size). */
function inconsistencyOf(request: AddCheckpointRequest, latest: WitnessRecord | undefined): string | undefined {
  const { oldSize, proof, checkpoint } = request;
  if (checkpoint.size === 0 && checkpoint.rootHash !== EMPTY_TREE_ROOT) return 'a checkpoint of size 0 must have the root hash of the empty tree';
  if (oldSize === 0) return proof.length === 0 ? undefined : 'the consistency proof from size 0 must be empty';
  if (!latest) return 'no checkpoint held for this log';
  if (oldSize === checkpoint.size && checkpoint.rootHash !== latest.root_hash) return 'same size as the checkpoint held, different root hash';
  const consistent = verifyConsistency({ from: oldSize, to: checkpoint.size, fromRoot: latest.root_hash, toRoot: checkpoint.rootHash, proof });
  return consistent ? undefined : 'the consistency proof does not verify';
}

function text(status: number, message: string): WitnessReply {
  return { status, contentType: TEXT, body: `${message}\n` };
}
