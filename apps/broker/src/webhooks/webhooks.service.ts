import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { Agent, request } from 'undici';
import { isId, newId } from '@kyc/common-schema';
import { BROKER_CONFIG, PrismaService, ProblemError, QueueConnection, Sealer, type BrokerConfig } from '@kyc/platform';
import { guardedLookup, webhookTargetProblem } from './webhook-address.js';
import { previousWebhookSecretContext, webhookSecretContext } from './webhook-secret.js';

/** The most of an endpoint's answer the broker reads (it needs only the status). */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** One text for every way a delivery can fail before an HTTP answer: it must not map the network. */
export const UNREACHABLE = 'the endpoint could not be reached';

export const WEBHOOK_QUEUE = 'webhooks';

export type WebhookType = 'verification.authorized' | 'verification.denied' | 'verification.expired' | 'verification.revoked';

/** A statement for the caller's own transaction: the outbox row of one event. */
export interface OutboxEvent {
  readonly id: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Written only when the enterprise has a webhook URL, so an event exists exactly when it will be sent. */
const INSERT_EVENT = `INSERT INTO webhook_deliveries (id, enterprise_id, type, body)
SELECT $1, e.id, $3, $4 FROM enterprises e WHERE e.id = $2 AND e.webhook_url IS NOT NULL`;

/** Pending events the relay (re)queues: older than a moment, so the committing request queues its own first. */
const PENDING_EVENTS = `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND created_at < now() - interval '1 second' ORDER BY created_at LIMIT 500`;

/**
 * `Broker-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` (SPEC §4). During a secret
 * rotation's overlap window one more `v1=` follows, made with the previous secret; a receiver
 * accepts the delivery when any `v1` matches a secret it holds.
 */
export function webhookSignature(secret: string, timestamp: number, body: string, previous?: string): string {
  const v1 = (key: string): string => createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1(secret)}${previous === undefined ? '' : `,v1=${v1(previous)}`}`;
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
 * replay. Egress is guarded (docs/security.md): the URL is checked again before each attempt, the
 * connection goes only to addresses a webhook may reach (checked on the resolver's own answer, so
 * DNS rebinding finds nothing to rebind), redirects are not followed, at most 64 KiB of the answer
 * is read, and every failure before an HTTP answer reads the same.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhooksService.name);
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private readonly egress: Agent;
  private relayTimer: NodeJS.Timeout | undefined;
  private relaying: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaService,
    private readonly sealer: Sealer,
    private readonly queues: QueueConnection,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {
    this.egress = new Agent({
      connect: { lookup: guardedLookup(config.webhooks.allowLoopback), timeout: config.bankTimeoutMs },
      headersTimeout: config.bankTimeoutMs,
      bodyTimeout: config.bankTimeoutMs,
    });
  }

  onApplicationBootstrap(): void {
    const options = this.queues.options;
    this.queue = new Queue(WEBHOOK_QUEUE, options);
    this.worker = new Worker(WEBHOOK_QUEUE, (job: Job<{ id: string }>) => this.deliver(job.data.id), { ...options, concurrency: 8 });
    // Redis going away is reported by the calls that need it; the relay re-queues what it lost.
    this.queue.on('error', () => undefined);
    this.worker.on('error', () => undefined);
    this.relayTimer = setInterval(() => {
      this.relaying = this.relaying.then(() => this.relay().then(() => undefined, () => undefined));
    }, this.config.webhooks.relayIntervalMs);
    this.relayTimer.unref();
    this.worker.on('failed', (job: Job<{ id: string }> | undefined, err: Error) => {
      if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        void this.prisma.webhookDelivery
          .update({ where: { id: job.data.id }, data: { status: 'failed', lastError: err.message.slice(0, 500) } })
          .catch(() => undefined);
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.relayTimer);
    await this.relaying;
    await this.worker?.close();
    await this.queue?.close();
    await this.egress.close();
  }

  /**
   * The outbox row of an event, to be written in the transaction of the change it reports (so a
   * crash between commit and queueing loses nothing: the relay queues it). `data` is the event's
   * payload as the emitting feature shapes it; this service knows no feature's view.
   */
  event(enterpriseId: string, type: WebhookType, data: Readonly<Record<string, unknown>>): OutboxEvent {
    const id = newId('event');
    const body = JSON.stringify({ id, type, created_at: new Date().toISOString(), data });
    return { id, text: INSERT_EVENT, values: [id, enterpriseId, type, body] };
  }

  /**
   * Queues a committed event at once; never fails the caller (the change stands, and the relay
   * queues whatever this could not).
   */
  async committed(event: OutboxEvent): Promise<void> {
    // Chaos runs only (refused in production): die between the commit and the queueing.
    if (this.config.failpoint === 'crash-after-outbox-commit') process.kill(process.pid, 'SIGKILL');
    await this.enqueue(event.id).catch((err: unknown) => {
      this.logger.warn({ delivery_id: event.id, err: err instanceof Error ? err.message : 'unknown' }, 'webhook queued later by the relay');
    });
  }

  /**
   * The outbox relay: every pending event is (re)queued under its own id, which BullMQ keeps once
   * (an event whose job exists, waiting or in backoff, is not added twice); after a Redis loss the
   * lost jobs come back. Runs on every instance; answers how many it handed to the queue.
   */
  async relay(): Promise<number> {
    if (this.queue === undefined) return 0;
    const { rows } = await this.prisma.pool.query<{ id: string }>(PENDING_EVENTS);
    if (rows.length === 0) return 0;
    await this.queue.addBulk(rows.map((r) => ({ name: 'deliver', data: { id: r.id }, opts: this.jobOptions(r.id) })));
    return rows.length;
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
    await this.queue.add('deliver', { id }, this.jobOptions(jobId));
  }

  private jobOptions(jobId: string): { jobId: string; attempts: number; backoff: { type: 'exponential'; delay: number }; removeOnComplete: number; removeOnFail: number } {
    return {
      jobId,
      attempts: this.config.webhooks.attempts,
      backoff: { type: 'exponential', delay: this.config.webhooks.backoffMs },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    };
  }

  private async deliver(id: string): Promise<void> {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id }, include: { enterprise: true } });
    if (row === null || row.status === 'delivered') return;
    const url = row.enterprise.webhookUrl;
    if (url === null) throw new Error('the enterprise has no webhook URL any more');
    await this.prisma.webhookDelivery.update({ where: { id }, data: { attempts: { increment: 1 } } });
    const secret = this.sealer.open(row.enterprise.webhookSecretSealed, webhookSecretContext(row.enterpriseId));
    const { webhookSecretPreviousSealed: previousSealed, webhookSecretPreviousUntil: until } = row.enterprise;
    const previous = previousSealed !== null && until !== null && until > new Date() ? this.sealer.open(previousSealed, previousWebhookSecretContext(row.enterpriseId)) : undefined;
    let failure: string | undefined;
    try {
      failure = await this.post(url, webhookSignature(secret, Math.floor(Date.now() / 1000), row.body, previous), row.body);
    } catch {
      failure = UNREACHABLE;
    }
    if (failure !== undefined) {
      await this.prisma.webhookDelivery.update({ where: { id }, data: { lastError: failure } });
      throw new Error(failure);
    }
    await this.prisma.webhookDelivery.update({ where: { id }, data: { status: 'delivered', deliveredAt: new Date(), lastError: null } });
  }

  /** One attempt; answers why it failed, or undefined when the endpoint took it (2xx). */
  private async post(url: string, signature: string, body: string): Promise<string | undefined> {
    // Names are for the resolver to answer (guardedLookup); this catches literals and changed settings.
    if (webhookTargetProblem(url, this.config.webhooks.allowLoopback) !== undefined) return UNREACHABLE;
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'broker-signature': signature },
      body,
      dispatcher: this.egress,
      signal: AbortSignal.timeout(this.config.bankTimeoutMs),
    });
    let read = 0;
    for await (const chunk of response.body) {
      read += (chunk as Buffer).length;
      if (read > MAX_RESPONSE_BYTES) {
        response.body.destroy();
        break;
      }
    }
    return response.statusCode >= 200 && response.statusCode < 300 ? undefined : `the endpoint answered HTTP ${response.statusCode}`;
  }
}
