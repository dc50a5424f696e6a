import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { isId, newId } from '@kyc/common-schema';
import { BROKER_CONFIG, PrismaService, ProblemError, QueueConnection, Sealer, type BrokerConfig } from '@kyc/platform';
import { webhookSecretContext } from './webhook-secret.js';

export const WEBHOOK_QUEUE = 'webhooks';

export type WebhookType = 'verification.authorized' | 'verification.denied' | 'verification.expired' | 'verification.revoked';

/** `Broker-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` (SPEC §4). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface DeliveryView {
  id: string;
  enterprise_id: string;
  type: string;
  status: string;
  attempts: number;
  last_error?: string;
  created_at: string;
  delivered_at?: string;
}

/**
 * Webhooks, at least once: the event is stored first, then a BullMQ job posts it, retried with
 * exponential backoff; after the last attempt the delivery is `failed`, for an operator to see and
 * replay. Redirects are not followed (a webhook URL cannot bounce the broker elsewhere).
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhooksService.name);
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly sealer: Sealer,
    private readonly queues: QueueConnection,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  onApplicationBootstrap(): void {
    const options = this.queues.options;
    this.queue = new Queue(WEBHOOK_QUEUE, options);
    this.worker = new Worker(WEBHOOK_QUEUE, (job: Job<{ id: string }>) => this.deliver(job.data.id), { ...options, concurrency: 8 });
    this.worker.on('failed', (job: Job<{ id: string }> | undefined, err: Error) => {
      if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        void this.prisma.webhookDelivery
          .update({ where: { id: job.data.id }, data: { status: 'failed', lastError: err.message.slice(0, 500) } })
          .catch(() => undefined);
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }

  /**
   * Records an event for the enterprise (when it has a webhook URL) and queues its delivery. `data`
   * is the event's payload as the emitting feature shapes it; this service knows no feature's view.
   */
  async emit(enterpriseId: string, type: WebhookType, data: Readonly<Record<string, unknown>>): Promise<void> {
    const enterprise = await this.prisma.enterprise.findUnique({ where: { id: enterpriseId } });
    if (enterprise?.webhookUrl === null || enterprise === null) return;
    const id = newId('event');
    const body = JSON.stringify({ id, type, created_at: new Date().toISOString(), data });
    await this.prisma.webhookDelivery.create({ data: { id, enterpriseId: enterprise.id, type, body } });
    await this.enqueue(id).catch((err: unknown) => {
      // The row stays pending; an operator can replay it. The state change itself stands.
      this.logger.warn({ delivery_id: id, err: err instanceof Error ? err.message : 'unknown' }, 'webhook not queued');
    });
  }

  async list(status: 'pending' | 'delivered' | 'failed' | undefined): Promise<DeliveryView[]> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: status === undefined ? {} : { status },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
    return rows.map((r) => ({
      id: r.id,
      enterprise_id: r.enterpriseId,
      type: r.type,
      status: r.status,
      attempts: r.attempts,
      ...(r.lastError === null ? {} : { last_error: r.lastError }),
      created_at: r.createdAt.toISOString(),
      ...(r.deliveredAt === null ? {} : { delivered_at: r.deliveredAt.toISOString() }),
    }));
  }

  /** Replays a delivery that gave up (or never got queued). */
  async retry(id: string): Promise<{ id: string; status: 'pending' }> {
    const row = isId('event', id) ? await this.prisma.webhookDelivery.findUnique({ where: { id } }) : null;
    if (row === null) throw new ProblemError('NOT_FOUND', 'No such webhook delivery.');
    if (row.status === 'delivered') throw new ProblemError('CONTRACT_CONFLICT', 'This delivery already succeeded.');
    await this.prisma.webhookDelivery.update({ where: { id }, data: { status: 'pending', lastError: null } });
    await this.enqueue(id, `${id}-retry-${Date.now()}`);
    return { id, status: 'pending' };
  }

  private async enqueue(id: string, jobId = id): Promise<void> {
    if (this.queue === undefined) throw new Error('webhook queue not started');
    await this.queue.add('deliver', { id }, {
      jobId,
      attempts: this.config.webhooks.attempts,
      backoff: { type: 'exponential', delay: this.config.webhooks.backoffMs },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    });
  }

  private async deliver(id: string): Promise<void> {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id }, include: { enterprise: true } });
    if (row === null || row.status === 'delivered') return;
    const url = row.enterprise.webhookUrl;
    if (url === null) throw new Error('the enterprise has no webhook URL any more');
    await this.prisma.webhookDelivery.update({ where: { id }, data: { attempts: { increment: 1 } } });
    const secret = this.sealer.open(row.enterprise.webhookSecretSealed, webhookSecretContext(row.enterpriseId));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'broker-signature': webhookSignature(secret, Math.floor(Date.now() / 1000), row.body) },
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.bankTimeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) throw new Error(`the endpoint answered HTTP ${response.status}`);
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'delivery failed';
      await this.prisma.webhookDelivery.update({ where: { id }, data: { lastError: reason.slice(0, 500) } });
      throw err instanceof Error ? err : new Error(reason);
    }
    await this.prisma.webhookDelivery.update({ where: { id }, data: { status: 'delivered', deliveredAt: new Date(), lastError: null } });
  }
}
