import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bank, Contract, PrismaService, Sealer } from '@kyc/platform';
import { BANK_ID, CONTRACT_ID, makeBank, makeBrokerConfig, makeContract, newCacheInvalidation, problemOf, type CacheInvalidationFake } from '../../test/unit/factories.js';
import { AdminService } from './admin.service.js';

function newAdminPrismaMock() {
  return {
    bank: {
      findUnique: vi.fn<(args: unknown) => Promise<Bank | null>>(async () => makeBank()),
      update: vi.fn<(args: unknown) => Promise<Bank>>(async () => makeBank({ status: 'closed' })),
    },
    contract: {
      findUnique: vi.fn<(args: unknown) => Promise<Contract | null>>(async () => makeContract()),
      update: vi.fn<(args: unknown) => Promise<Contract>>(async () => makeContract({ status: 'ended' })),
    },
  };
}

describe(AdminService.name, () => {
  let sut: AdminService;
  let prisma: ReturnType<typeof newAdminPrismaMock>;
  let invalidation: CacheInvalidationFake;
  let order: string[];

  beforeEach(() => {
    prisma = newAdminPrismaMock();
    invalidation = newCacheInvalidation();
    order = [];
    prisma.bank.update.mockImplementation(async () => (order.push('commit'), makeBank({ status: 'closed' })));
    prisma.contract.update.mockImplementation(async () => (order.push('commit'), makeContract({ status: 'ended' })));
    invalidation.publish.mockImplementation(async () => order.push('publish'));
    sut = new AdminService(prisma as unknown as PrismaService, {} as Sealer, invalidation.bus, makeBrokerConfig());
  });

  it('publishes a bank invalidation after the bank update committed', async () => {
    await sut.patchBank(BANK_ID, { status: 'closed' });

    expect(order).toEqual(['commit', 'publish']);
    expect(invalidation.publish).toHaveBeenCalledWith('kyc:cache-invalidation', JSON.stringify({ kind: 'bank', id: BANK_ID }));
  });

  it('publishes a contract invalidation after ending a contract', async () => {
    await sut.patchContract(CONTRACT_ID, { status: 'ended' });

    expect(order).toEqual(['commit', 'publish']);
    expect(invalidation.publish).toHaveBeenCalledWith('kyc:cache-invalidation', JSON.stringify({ kind: 'contract', id: CONTRACT_ID }));
  });

  it('publishes nothing when the write did not happen', async () => {
    prisma.bank.findUnique.mockResolvedValue(null);

    expect((await problemOf(sut.patchBank('bank-x', { status: 'closed' }))).code).toBe('NOT_FOUND');
    expect(invalidation.publish).not.toHaveBeenCalled();
  });
});
