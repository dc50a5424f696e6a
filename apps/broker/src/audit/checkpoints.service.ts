import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  NOTE_COSIGNATURE_V1, formatCheckpointBody, formatNote, parseNote, parseVerifierKey, signCheckpoint, signNote,
  verifyCosignature, type Checkpoint,
} from '@kyc/ledger';
import { BROKER_CONFIG, inTransaction, PrismaService, ProblemError, type BrokerConfig, type CheckpointRow } from '@kyc/platform';
import { MerkleStore } from '../ledger/index.js';
import { WitnessClient } from './witness-client.js';

export interface CosignatureView {
  readonly witness: string;
  readonly cosigned_at: string;
  readonly signature_line: string;
}

/** SPEC §8's JSON checkpoint, with its C2SP signed note (cosignatures included) beside it. */
export type CheckpointView = Checkpoint & { readonly note: string; readonly cosignatures: CosignatureView[] };

/** The advisory lock key under which checkpoints are signed and cosigned (one run at a time). */
const COSIGNING_LOCK = 0x6b7963_0001;

type Row = CheckpointRow & { cosignatures: { witness: string; cosignedAt: Date; signatureLine: string }[] };

/**
 * Signed tree heads (SPEC §8): Ed25519 over the canonical JSON of {tree_size, root_hash, timestamp},
 * and the same tree head as a C2SP tlog-checkpoint note signed by the same key under the log's
 * origin. Every checkpoint is offered to the witnesses (the banks, C2SP tlog-witness); their
 * cosignatures are stored and listed. A witness that is down delays only its cosignature: the
 * scheduled run asks again for the latest checkpoint.
 */
@Injectable()
export class CheckpointsService {
  private readonly logger = new Logger(CheckpointsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly merkle: MerkleStore,
    private readonly witnesses: WitnessClient,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  /**
   * A checkpoint over every entry committed so far (the existing one when the tree has not grown),
   * cosigned as far as the witnesses answer within their timeout — unless `cosign` is false, for a
   * caller that must not wait on them (the scheduled run asks them later). With cosigning, the answer
   * is the latest checkpoint, which may be larger than this call's own when another run signed one.
   */
  async create({ cosign = true }: { cosign?: boolean } = {}): Promise<CheckpointView> {
    const head = await this.merkle.head();
    const existing = await this.prisma.checkpoint.findUnique({ where: { treeSize: BigInt(head.size) } });
    if (existing === null) {
      const signed = await signCheckpoint({ tree_size: head.size, root_hash: head.root, timestamp: new Date().toISOString() }, this.config.keys.ledgerSigningJwk);
      await this.prisma.checkpoint.createMany({
        data: [{
          treeSize: BigInt(head.size), rootHash: signed.root_hash, timestamp: new Date(signed.timestamp), keyId: signed.key_id, signature: signed.signature,
          note: await this.signedNote(head.size, head.root),
        }],
        skipDuplicates: true,
      });
    }
    if (!cosign) return this.get(String(head.size));
    // Another run (here or on another instance) may have signed a larger tree meanwhile. A C2SP
    // witness never goes back, so only the latest checkpoint is offered to the witnesses, one run
    // at a time; it covers every entry this one does, and is the answer.
    // The lock is a transaction's (cluster-wide, released at its end however the run ends).
    const latest = await inTransaction(this.prisma.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [COSIGNING_LOCK]);
      const top = await this.prisma.checkpoint.findFirst({ orderBy: { treeSize: 'desc' }, select: { treeSize: true } });
      const size = Number(top?.treeSize ?? head.size);
      await this.collectCosignatures(size);
      return size;
    });
    return this.get(String(latest ?? head.size));
  }

  async latest(): Promise<CheckpointView | undefined> {
    const row = await this.prisma.checkpoint.findFirst({ orderBy: { treeSize: 'desc' }, include: { cosignatures: true } });
    return row === null ? undefined : this.view(row);
  }

  async get(treeSizeText: string): Promise<CheckpointView> {
    const row = /^\d{1,19}$/.test(treeSizeText)
      ? await this.prisma.checkpoint.findUnique({ where: { treeSize: BigInt(treeSizeText) }, include: { cosignatures: true } })
      : null;
    if (row === null) throw new ProblemError('NOT_FOUND', 'No checkpoint for that tree size.');
    return this.view(row);
  }

  async list(limit: number, cursor: string | undefined): Promise<{ data: CheckpointView[]; next_cursor: string | null }> {
    const rows = await this.prisma.checkpoint.findMany({
      where: cursor === undefined ? {} : { treeSize: { lt: BigInt(cursor) } },
      orderBy: { treeSize: 'desc' },
      take: limit + 1,
      include: { cosignatures: true },
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { data: await Promise.all(page.map((r) => this.view(r))), next_cursor: rows.length > limit && last !== undefined ? last.treeSize.toString() : null };
  }

  /**
   * Asks every witness that has not cosigned the checkpoint of `treeSize` yet (C2SP tlog-witness):
   * with the size it last cosigned for us and a consistency proof from there; on 409 with the size
   * the witness holds. Failures are logged and left for the next scheduled run.
   */
  async collectCosignatures(treeSize: number): Promise<void> {
    const [checkpoint, witnesses] = await Promise.all([
      this.prisma.checkpoint.findUnique({ where: { treeSize: BigInt(treeSize) }, include: { cosignatures: true } }),
      this.prisma.ledgerWitness.findMany(),
    ]);
    if (checkpoint === null) return;
    const note = checkpoint.note ?? (await this.signedNote(treeSize, checkpoint.rootHash));
    const missing = witnesses.filter((w) => !checkpoint.cosignatures.some((c) => c.witness === w.name));
    await Promise.all(missing.map((w) => this.cosignBy(w, treeSize, note).catch((err: unknown) => {
      this.logger.warn({ witness: w.name, tree_size: treeSize, err: err instanceof Error ? err.message : String(err) }, 'witness unavailable; will ask again');
    })));
  }

  private async cosignBy(witness: { name: string; url: string; verifierKey: string }, treeSize: number, note: string): Promise<void> {
    const last = await this.prisma.checkpointCosignature.findFirst({ where: { witness: witness.name, treeSize: { lte: BigInt(treeSize) } }, orderBy: { treeSize: 'desc' } });
    let oldSize = last === null ? 0 : Number(last.treeSize);
    for (let attempt = 0; attempt < 2; attempt++) {
      const proof = oldSize === 0 || oldSize === treeSize ? [] : await this.merkle.consistencyPath(oldSize, treeSize);
      const answer = await this.witnesses.addCheckpoint(witness, oldSize, proof, note);
      if (answer.kind === 'conflict') {
        if (answer.size > treeSize) {
          this.logger.error({ witness: witness.name, witness_size: answer.size, tree_size: treeSize }, 'a witness holds a larger tree than this log: the ledger was rolled back');
          return;
        }
        oldSize = answer.size;
        continue;
      }
      if (answer.kind === 'refused') {
        this.logger.error({ witness: witness.name, status: answer.status, tree_size: treeSize, detail: answer.detail }, 'a witness refused this checkpoint');
        return;
      }
      const key = parseVerifierKey(witness.verifierKey);
      for (const line of answer.lines) {
        const cosigned = await verifyCosignature(parseNote(formatNote(parseNote(note).body, [line])), key);
        const timestamp = cosigned?.timestamp;
        if (timestamp === undefined || key.type !== NOTE_COSIGNATURE_V1) continue;
        await this.prisma.checkpointCosignature.createMany({
          data: [{ treeSize: BigInt(treeSize), witness: witness.name, signatureLine: line, cosignedAt: new Date(timestamp * 1000) }],
          skipDuplicates: true,
        });
        return;
      }
      this.logger.error({ witness: witness.name, tree_size: treeSize }, 'a witness answered no cosignature that verifies with its key');
      return;
    }
  }

  /** The C2SP checkpoint note: body and the log's own signature line. */
  private async signedNote(treeSize: number, rootHash: string): Promise<string> {
    const body = formatCheckpointBody({ origin: this.config.ledger.origin, size: treeSize, rootHash });
    return formatNote(body, [await signNote(body, this.config.ledger.origin, this.config.keys.ledgerSigningJwk)]);
  }

  private async view(row: Row): Promise<CheckpointView> {
    const note = row.note ?? (await this.signedNote(Number(row.treeSize), row.rootHash));
    const cosignatures = [...row.cosignatures].sort((a, b) => a.witness.localeCompare(b.witness));
    const parsed = parseNote(note);
    return {
      tree_size: Number(row.treeSize),
      root_hash: row.rootHash,
      timestamp: row.timestamp.toISOString(),
      key_id: row.keyId,
      signature: row.signature,
      note: formatNote(parsed.body, [...parsed.signatures.map((s) => s.line), ...cosignatures.map((c) => c.signatureLine)]),
      cosignatures: cosignatures.map((c) => ({ witness: c.witness, cosigned_at: c.cosignedAt.toISOString(), signature_line: c.signatureLine })),
    };
  }
}
