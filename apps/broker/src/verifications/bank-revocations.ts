import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { newId } from '@kyc/common-schema';
import { BROKER_CONFIG, PrismaService, QueueConnection, Sealer, type BrokerConfig } from '@kyc/platform';
import { BankClientService } from '../banks/index.js';

export const REVOCATION_QUEUE = 'bank-revocations';

/** A statement for the revoking transaction: the outbox row of one revocation at the bank. */
export interface RevocationOutbox {
  readonly id: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

const INSERT_REVOCATION = 'INSERT INTO bank_revocations (id, verification_id, bank_id, token_sealed) VALUES ($1, $2, $3, $4)';
const PENDING_REVOCATIONS = `SELECT id FROM bank_revocations WHERE status = 'pending' AND created_at < now() - interval '1 second' ORDER BY created_at LIMIT 500`;
const contextOf = (id: string): string => `bank-revocation:${id}`;

/**
 * Revocation at the bank (RFC 7009) as its own retried job: the row is written in the transaction
 * that revokes the verification, a BullMQ job carries it out with backoff, and the relay re-queues
 * whatever Redis lost. Nothing about webhooks can skip it. The sealed token is dropped once the bank
 * took it, or when the last attempt failed (it expires at the bank anyway).
 */
@Injectable()
export class BankRevocations implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BankRevocations.name);
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private relayTimer: NodeJS.Timeout | undefined;
  private relaying: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaService,
    private readonly sealer: Sealer,
    private readonly queues: QueueConnection,
    private readonly banks: BankClientService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  onApplicationBootstrap(): void {
    const options = this.queues.options;
    this.queue = new Queue(REVOCATION_QUEUE, options);
    this.worker = new Worker(REVOCATION_QUEUE, (job: Job<{ id: string }>) => this.carryOut(job.data.id), { ...options, concurrency: 4 });
    this.queue.on('error', () => undefined);
    this.worker.on('error', () => undefined);
    this.worker.on('failed', (job: Job<{ id: string }> | undefined, err: Error) => {
      if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        void this.prisma.bankRevocation
          .update({ where: { id: job.data.id }, data: { status: 'failed', tokenSealed: null, lastError: err.message.slice(0, 200) } })
          .catch(() => undefined);
      }
    });
    this.relayTimer = setInterval(() => {
      this.relaying = this.relaying.then(() => this.relay().then(() => undefined, () => undefined));
    }, this.config.webhooks.relayIntervalMs);
    this.relayTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.relayTimer);
    await this.relaying;
    await this.worker?.close();
    await this.queue?.close();
  }

  /** The outbox row for revoking `token` at the verification's bank. */
  outbox(verificationId: string, bankId: string, token: string): RevocationOutbox {
    const id = newId('revocation');
    return { id, text: INSERT_REVOCATION, values: [id, verificationId, bankId, this.sealer.seal(token, contextOf(id))] };
  }

  /** Queues a committed revocation at once; never fails the caller (the relay queues what this could not). */
  async committed(revocation: RevocationOutbox): Promise<void> {
    if (this.queue === undefined) return;
    await this.queue.add('revoke', { id: revocation.id }, this.jobOptions(revocation.id)).catch((err: unknown) => {
      this.logger.warn({ revocation_id: revocation.id, err: err instanceof Error ? err.message : 'unknown' }, 'bank revocation queued later by the relay');
    });
  }

  /** Re-queues every pending revocation under its own id (BullMQ keeps one job per id). */
  async relay(): Promise<number> {
    if (this.queue === undefined) return 0;
    const { rows } = await this.prisma.pool.query<{ id: string }>(PENDING_REVOCATIONS);
    if (rows.length === 0) return 0;
    await this.queue.addBulk(rows.map((r) => ({ name: 'revoke', data: { id: r.id }, opts: this.jobOptions(r.id) })));
    return rows.length;
  }

  private jobOptions(jobId: string): { jobId: string; attempts: number; backoff: { type: 'exponential'; delay: number }; removeOnComplete: number; removeOnFail: number } {
    return { jobId, attempts: this.config.webhooks.attempts, backoff: { type: 'exponential', delay: this.config.webhooks.backoffMs }, removeOnComplete: 1000, removeOnFail: 1000 };
  }

  private async carryOut(id: string): Promise<void> {
    const row = await this.prisma.bankRevocation.findUnique({ where: { id } });
    if (row?.status !== 'pending' || row.tokenSealed === null) return;
    await this.prisma.bankRevocation.update({ where: { id }, data: { attempts: { increment: 1 } } });
    try {
      await this.banks.revoke(row.bankId, this.sealer.open(row.tokenSealed, contextOf(id)));
    } catch (err) {
      const reason = 'the bank did not take the revocation';
      await this.prisma.bankRevocation.update({ where: { id }, data: { lastError: reason } });
      this.logger.warn({ revocation_id: id, bank_id: row.bankId, err: err instanceof Error ? err.name : 'unknown' }, reason);
      throw new Error(reason);
    }
    await this.prisma.bankRevocation.update({ where: { id }, data: { status: 'done', tokenSealed: null, doneAt: new Date(), lastError: null } });
  }
}
