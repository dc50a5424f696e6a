import { createHmac, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Sealer, type PrismaService, type QueueConnection } from '@kyc/platform';
import {
  ENTERPRISE_ID,
  EVENT_ID,
  makeBrokerConfig,
  makeEnterprise,
  makeWebhookDelivery,
  newPrismaMock,
  problemOf,
  type PrismaMock,
} from '../../test/unit/factories.js';
import { WebhooksService, webhookSignature } from './webhooks.service.js';

const hmacHex = (secret: string, message: string): string => createHmac('sha256', secret).update(message).digest('hex');

/** Never connected: these specs do not bootstrap the service, so no BullMQ queue or worker is made. */
function newQueueConnectionMock() {
  return { options: { connection: {}, prefix: 'kyc-unit' } };
}

/** Stands in for the BullMQ queue `onApplicationBootstrap` would create. */
function newQueueMock() {
  return { add: vi.fn<(name: string, data: { id: string }, opts: Record<string, unknown>) => Promise<{ id: string }>>(async () => ({ id: 'job' })) };
}

function startWith(sut: WebhooksService, queue: ReturnType<typeof newQueueMock>): void {
  (sut as unknown as { queue: ReturnType<typeof newQueueMock> }).queue = queue;
}

describe(webhookSignature.name, () => {
  const secret = 'whsec_unit-secret';
  const body = '{"id":"evt_1","type":"verification.authorized"}';
  const t = 1_767_225_600;

  it('is `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`', () => {
    const signature = webhookSignature(secret, t, body);

    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(signature).toBe(`t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`);
  });

  it('signs the timestamp with the body, not the body alone', () => {
    expect(webhookSignature(secret, t, body)).not.toContain(hmacHex(secret, body));
  });

  it.each([
    ['body', () => webhookSignature(secret, t, `${body} `)],
    ['secret', () => webhookSignature(`${secret}x`, t, body)],
    ['timestamp', () => webhookSignature(secret, t + 1, body)],
  ])('changes with the %s', (_label, other) => {
    const v1 = (s: string): string | undefined => /v1=([0-9a-f]+)$/.exec(s)?.[1];

    expect(v1(other())).not.toBe(v1(webhookSignature(secret, t, body)));
  });
});

describe(WebhooksService.name, () => {
  let sut: WebhooksService;
  let prisma: PrismaMock;
  let warn: MockInstance<Logger['warn']>;
  const config = makeBrokerConfig({ webhooks: { attempts: 4, backoffMs: 250, allowLoopback: true, relayIntervalMs: 1_000, secretOverlapSeconds: 86_400 } });

  beforeEach(() => {
    prisma = newPrismaMock();
    warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    sut = new WebhooksService(
      prisma as unknown as PrismaService,
      new Sealer(randomBytes(32)),
      newQueueConnectionMock() as unknown as QueueConnection,
      config,
    );
    prisma.enterprise.findUnique.mockResolvedValue(makeEnterprise());
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('event (the outbox row, for the change\'s own transaction)', () => {
    const data = { id: 'ver_1', status: 'authorized', nested: { claims: ['family_name'] }, note: null };

    it('writes the row only for an enterprise with a webhook URL', () => {
      const event = sut.event(ENTERPRISE_ID, 'verification.denied', data);

      expect(event.text).toMatch(/^INSERT INTO webhook_deliveries/);
      expect(event.text).toContain('e.webhook_url IS NOT NULL');
      expect(event.values.slice(0, 3)).toEqual([event.id, ENTERPRISE_ID, 'verification.denied']);
    });

    it('carries the body {id, type, created_at, data} with data exactly as given', () => {
      const before = Date.now();

      const event = sut.event(ENTERPRISE_ID, 'verification.denied', data);

      expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/);
      const body = JSON.parse(String(event.values[3])) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(body['id']).toBe(event.id);
      expect(body['data']).toStrictEqual(data);
      const createdAt = Date.parse(String(body['created_at']));
      expect(createdAt).toBeGreaterThanOrEqual(before - 1);
      expect(createdAt).toBeLessThanOrEqual(Date.now());
    });

    it('gives every event its own id', () => {
      expect(sut.event(ENTERPRISE_ID, 'verification.authorized', data).id).not.toBe(sut.event(ENTERPRISE_ID, 'verification.authorized', data).id);
    });
  });

  describe('committed', () => {
    const event = { id: EVENT_ID, text: '', values: [] };

    it('queues the delivery under the event id with the configured attempts and backoff', async () => {
      const queue = newQueueMock();
      startWith(sut, queue);

      await sut.committed(event);

      expect(queue.add).toHaveBeenCalledExactlyOnceWith('deliver', { id: EVENT_ID }, expect.objectContaining({ jobId: EVENT_ID, attempts: 4, backoff: { type: 'exponential', delay: 250 } }));
      expect(warn).not.toHaveBeenCalled();
    });

    it('never throws when queueing fails: the relay queues it later', async () => {
      const queue = newQueueMock();
      queue.add.mockRejectedValue(new Error('redis down'));
      startWith(sut, queue);

      await expect(sut.committed(event)).resolves.toBeUndefined();

      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ delivery_id: EVENT_ID, err: 'redis down' }), 'webhook queued later by the relay');
    });
  });

  describe('retry', () => {
    it('answers NOT_FOUND for an unknown delivery', async () => {
      prisma.webhookDelivery.findUnique.mockResolvedValue(null);

      const problem = await problemOf(sut.retry(EVENT_ID));

      expect(problem.code).toBe('NOT_FOUND');
      expect(prisma.webhookDelivery.findUnique).toHaveBeenCalledWith({ where: { id: EVENT_ID } });
    });

    it('answers NOT_FOUND for a malformed id without querying', async () => {
      const problem = await problemOf(sut.retry('ver_0123456789abcdef0123456789abcdef'));

      expect(problem.code).toBe('NOT_FOUND');
      expect(prisma.webhookDelivery.findUnique).not.toHaveBeenCalled();
    });

    it('refuses to replay a delivered event with CONTRACT_CONFLICT', async () => {
      prisma.webhookDelivery.findUnique.mockResolvedValue(makeWebhookDelivery({ status: 'delivered', deliveredAt: new Date() }));

      const problem = await problemOf(sut.retry(EVENT_ID));

      expect(problem.code).toBe('CONTRACT_CONFLICT');
      expect(prisma.webhookDelivery.update).not.toHaveBeenCalled();
    });

    it('puts a failed delivery back to pending and queues it under a fresh job id', async () => {
      const queue = newQueueMock();
      startWith(sut, queue);
      prisma.webhookDelivery.findUnique.mockResolvedValue(makeWebhookDelivery({ status: 'failed', attempts: 4, lastError: 'HTTP 500' }));

      await expect(sut.retry(EVENT_ID)).resolves.toEqual({ id: EVENT_ID, status: 'pending' });

      expect(prisma.webhookDelivery.update).toHaveBeenCalledWith({ where: { id: EVENT_ID }, data: { status: 'pending', lastError: null } });
      const [, payload, opts] = queue.add.mock.calls[0] ?? [];
      expect(payload).toEqual({ id: EVENT_ID });
      expect(String(opts?.['jobId'])).toMatch(new RegExp(`^${EVENT_ID}-retry-\\d+$`));
    });
  });
});
