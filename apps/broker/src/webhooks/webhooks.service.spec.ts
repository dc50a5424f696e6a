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
  const config = makeBrokerConfig({ webhooks: { attempts: 4, backoffMs: 250 } });

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

  describe('emit', () => {
    const data = { id: 'ver_1', status: 'authorized', nested: { claims: ['family_name'] }, note: null };

    it('stores nothing for an unknown enterprise', async () => {
      prisma.enterprise.findUnique.mockResolvedValue(null);

      await expect(sut.emit(ENTERPRISE_ID, 'verification.authorized', data)).resolves.toBeUndefined();

      expect(prisma.enterprise.findUnique).toHaveBeenCalledWith({ where: { id: ENTERPRISE_ID } });
      expect(prisma.webhookDelivery.create).not.toHaveBeenCalled();
    });

    it('stores nothing for an enterprise without a webhook URL', async () => {
      prisma.enterprise.findUnique.mockResolvedValue(makeEnterprise({ webhookUrl: null }));

      await sut.emit(ENTERPRISE_ID, 'verification.authorized', data);

      expect(prisma.webhookDelivery.create).not.toHaveBeenCalled();
    });

    it('stores one delivery whose body is {id, type, created_at, data} with data exactly as given', async () => {
      const before = Date.now();

      await sut.emit(ENTERPRISE_ID, 'verification.denied', data);

      expect(prisma.webhookDelivery.create).toHaveBeenCalledOnce();
      const row = prisma.webhookDelivery.create.mock.calls[0]?.[0].data;
      expect(row?.id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(row?.enterpriseId).toBe(ENTERPRISE_ID);
      expect(row?.type).toBe('verification.denied');
      const body = JSON.parse(row?.body ?? '') as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(body['id']).toBe(row?.id);
      expect(body['type']).toBe('verification.denied');
      expect(body['data']).toStrictEqual(data);
      const createdAt = Date.parse(String(body['created_at']));
      expect(createdAt).toBeGreaterThanOrEqual(before - 1);
      expect(createdAt).toBeLessThanOrEqual(Date.now());
    });

    it('gives every event its own id', async () => {
      await sut.emit(ENTERPRISE_ID, 'verification.authorized', data);
      await sut.emit(ENTERPRISE_ID, 'verification.authorized', data);

      const ids = prisma.webhookDelivery.create.mock.calls.map(([args]) => args.data.id);
      expect(new Set(ids).size).toBe(2);
    });

    it('queues the delivery with the configured attempts and backoff', async () => {
      const queue = newQueueMock();
      startWith(sut, queue);

      await sut.emit(ENTERPRISE_ID, 'verification.authorized', data);

      const id = prisma.webhookDelivery.create.mock.calls[0]?.[0].data.id;
      expect(queue.add).toHaveBeenCalledExactlyOnceWith(
        'deliver',
        { id },
        expect.objectContaining({ jobId: id, attempts: 4, backoff: { type: 'exponential', delay: 250 } }),
      );
      expect(prisma.webhookDelivery.create.mock.invocationCallOrder[0]).toBeLessThan(queue.add.mock.invocationCallOrder[0] ?? 0);
      expect(warn).not.toHaveBeenCalled();
    });

    it('keeps the stored row and does not throw when the queue is not started; it logs instead', async () => {
      await expect(sut.emit(ENTERPRISE_ID, 'verification.expired', data)).resolves.toBeUndefined();

      expect(prisma.webhookDelivery.create).toHaveBeenCalledOnce();
      const id = prisma.webhookDelivery.create.mock.calls[0]?.[0].data.id;
      expect(warn).toHaveBeenCalledExactlyOnceWith({ delivery_id: id, err: 'webhook queue not started' }, 'webhook not queued');
    });

    it('does not throw when queueing fails', async () => {
      const queue = newQueueMock();
      queue.add.mockRejectedValue(new Error('redis down'));
      startWith(sut, queue);

      await expect(sut.emit(ENTERPRISE_ID, 'verification.revoked', data)).resolves.toBeUndefined();

      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: 'redis down' }), 'webhook not queued');
    });

    it('lets a failure to store the event propagate (nothing was queued)', async () => {
      const queue = newQueueMock();
      startWith(sut, queue);
      prisma.webhookDelivery.create.mockRejectedValue(new Error('db down'));

      await expect(sut.emit(ENTERPRISE_ID, 'verification.authorized', data)).rejects.toThrow('db down');

      expect(queue.add).not.toHaveBeenCalled();
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
