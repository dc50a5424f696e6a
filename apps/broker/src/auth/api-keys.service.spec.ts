import { beforeEach, describe, expect, it } from 'vitest';
import type { PrismaService } from '@kyc/platform';
import { ENTERPRISE_ID, makeBrokerConfig, newCacheInvalidation, newPrismaMock, type CacheInvalidationFake, type PrismaMock } from '../../test/unit/factories.js';
import { ApiKeysService, hashApiKey } from './api-keys.service.js';

const KEY = 'kyck_unit-test-key-0123456789abcdef';
const KEY_ID = 'key_0123456789abcdef0123456789abcdef';
const CREATED = new Date('2025-01-01T00:00:00.000Z');

const keyRow = (revokedAt: Date | null = null) => ({
  id: KEY_ID,
  role: 'enterprise' as const,
  enterpriseId: ENTERPRISE_ID,
  keyHash: hashApiKey(KEY),
  createdAt: CREATED,
  revokedAt,
});

describe(ApiKeysService.name, () => {
  let sut: ApiKeysService;
  let prisma: PrismaMock;
  let invalidation: CacheInvalidationFake;

  beforeEach(async () => {
    prisma = newPrismaMock();
    invalidation = newCacheInvalidation();
    await invalidation.connect();
    sut = new ApiKeysService(prisma as unknown as PrismaService, makeBrokerConfig(), invalidation.bus);
    prisma.apiKey.findUnique.mockResolvedValue(keyRow());
  });

  it('looks a key up once and answers again from memory', async () => {
    const first = await sut.authenticate(KEY);
    const second = await sut.authenticate(KEY);

    expect(first).toEqual({ keyId: KEY_ID, role: 'enterprise', enterpriseId: ENTERPRISE_ID });
    expect(second).toEqual(first);
    expect(prisma.apiKey.findUnique).toHaveBeenCalledTimes(1);
    expect(prisma.apiKey.findUnique).toHaveBeenCalledWith({ where: { keyHash: hashApiKey(KEY) }, include: { enterprise: { select: { status: true } } } });
  });

  it('marks the principal of a suspended enterprise, and looks again when the enterprise changes', async () => {
    prisma.apiKey.findUnique.mockResolvedValue({ ...keyRow(), enterprise: { status: 'suspended' } } as ReturnType<typeof keyRow>);
    expect(await sut.authenticate(KEY)).toEqual({ keyId: KEY_ID, role: 'enterprise', enterpriseId: ENTERPRISE_ID, suspended: true });

    prisma.apiKey.findUnique.mockResolvedValue({ ...keyRow(), enterprise: { status: 'active' } } as ReturnType<typeof keyRow>);
    invalidation.subscriber.deliver('enterprise', 'ent_other');
    expect((await sut.authenticate(KEY))?.suspended).toBe(true);
    invalidation.subscriber.deliver('enterprise', ENTERPRISE_ID);
    expect(await sut.authenticate(KEY)).toEqual({ keyId: KEY_ID, role: 'enterprise', enterpriseId: ENTERPRISE_ID });
  });

  it('makes one query for concurrent first uses of a key', async () => {
    await Promise.all([sut.authenticate(KEY), sut.authenticate(KEY), sut.authenticate(KEY)]);

    expect(prisma.apiKey.findUnique).toHaveBeenCalledTimes(1);
  });

  it('never caches an unknown or revoked key', async () => {
    prisma.apiKey.findUnique.mockResolvedValue(null);
    expect(await sut.authenticate(KEY)).toBeUndefined();
    prisma.apiKey.findUnique.mockResolvedValue(keyRow(CREATED));
    expect(await sut.authenticate(KEY)).toBeUndefined();
    prisma.apiKey.findUnique.mockResolvedValue(keyRow());
    expect(await sut.authenticate(KEY)).toBeDefined();

    expect(prisma.apiKey.findUnique).toHaveBeenCalledTimes(3);
  });

  it('stops a revoked key on this instance at once and tells the others', async () => {
    await sut.authenticate(KEY);
    prisma.apiKey.findUnique.mockResolvedValue(keyRow(new Date()));

    await sut.revoke(KEY_ID);

    expect(invalidation.publish).toHaveBeenCalledWith('kyc:cache-invalidation', JSON.stringify({ kind: 'api-key', id: KEY_ID }));
    expect(await sut.authenticate(KEY)).toBeUndefined();
  });

  it('forgets a key another instance revoked when its message arrives', async () => {
    await sut.authenticate(KEY);
    prisma.apiKey.findUnique.mockResolvedValue(keyRow(new Date()));

    invalidation.subscriber.deliver('api-key', 'key_other');
    expect(await sut.authenticate(KEY)).toBeDefined();
    invalidation.subscriber.deliver('api-key', KEY_ID);
    expect(await sut.authenticate(KEY)).toBeUndefined();
  });

  it('asks the database every time while the invalidation channel is down', async () => {
    await sut.authenticate(KEY);
    invalidation.subscriber.emit('close');

    await sut.authenticate(KEY);
    await sut.authenticate(KEY);

    expect(prisma.apiKey.findUnique).toHaveBeenCalledTimes(3);
  });

  it('publishes nothing and answers NOT_FOUND when the key was not there to revoke', async () => {
    prisma.apiKey.updateMany.mockResolvedValue({ count: 0 });

    await expect(sut.revoke(KEY_ID)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(invalidation.publish).not.toHaveBeenCalled();
  });
});
