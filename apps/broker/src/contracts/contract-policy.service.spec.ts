import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ProblemError, type PrismaService } from '@kyc/platform';
import type { ContractRateLimit } from '../flow/index.js';
import {
  BANK_ID,
  ENTERPRISE_ID,
  makeBank,
  makeContract,
  makeEnterprise,
  newCacheInvalidation,
  newPrismaMock,
  problemOf,
  withBank,
  type CacheInvalidationFake,
  type ContractWithBank,
  type PrismaMock,
} from '../../test/unit/factories.js';
import { ContractPolicy, isWithinWindow } from './contract-policy.service.js';

const DAY = 86_400_000;

function newLimiterMock() {
  return { hit: vi.fn<ContractRateLimit['hit']>(async () => undefined) };
}

describe(ContractPolicy.name, () => {
  let sut: ContractPolicy;
  let prisma: PrismaMock;
  let limiter: ReturnType<typeof newLimiterMock>;

  beforeEach(() => {
    prisma = newPrismaMock();
    limiter = newLimiterMock();
    sut = new ContractPolicy(prisma as unknown as PrismaService, limiter as unknown as ContractRateLimit, newCacheInvalidation().bus);
    prisma.enterprise.findUnique.mockResolvedValue(makeEnterprise());
    prisma.contract.findFirst.mockResolvedValue(withBank(makeContract()));
  });

  describe('permit', () => {
    it('refuses an unknown enterprise with FORBIDDEN before looking for a contract', async () => {
      prisma.enterprise.findUnique.mockResolvedValue(null);

      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening'));

      expect(problem.code).toBe('FORBIDDEN');
      expect(prisma.enterprise.findUnique).toHaveBeenCalledWith({ where: { id: ENTERPRISE_ID } });
      expect(prisma.contract.findFirst).not.toHaveBeenCalled();
    });

    it('refuses a suspended enterprise with ENTERPRISE_SUSPENDED', async () => {
      prisma.enterprise.findUnique.mockResolvedValue(makeEnterprise({ status: 'suspended' }));

      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening'));

      expect(problem.code).toBe('ENTERPRISE_SUSPENDED');
      expect(prisma.contract.findFirst).not.toHaveBeenCalled();
    });

    it('looks for an active contract of this enterprise with this bank, and answers CONTRACT_NOT_FOUND without one', async () => {
      prisma.contract.findFirst.mockResolvedValue(null);

      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening'));

      expect(problem.code).toBe('CONTRACT_NOT_FOUND');
      expect(problem.detail).toContain(BANK_ID);
      expect(prisma.contract.findFirst).toHaveBeenCalledWith({
        where: { enterpriseId: ENTERPRISE_ID, bankId: BANK_ID, status: 'active' },
        include: { bank: true },
      });
    });

    it.each([
      ['not yet valid (validFrom in the future)', { validFrom: new Date(Date.now() + DAY) }],
      ['no longer valid (validUntil in the past)', { validUntil: new Date(Date.now() - DAY) }],
    ])('answers CONTRACT_NOT_FOUND for a contract %s', async (_label, window) => {
      prisma.contract.findFirst.mockResolvedValue(withBank(makeContract(window)));

      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening'));

      expect(problem.code).toBe('CONTRACT_NOT_FOUND');
    });

    it('accepts a contract inside its window', async () => {
      prisma.contract.findFirst.mockResolvedValue(
        withBank(makeContract({ validFrom: new Date(Date.now() - DAY), validUntil: new Date(Date.now() + DAY) })),
      );

      await expect(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening')).resolves.toBeDefined();
    });

    it('refuses claims outside the contract with CLAIMS_NOT_PERMITTED, one error per refused claim', async () => {
      const problem = await problemOf(
        sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name', 'address', 'birthdate', 'given_name#ja-Kana-JP'], 'account_opening'),
      );

      expect(problem.code).toBe('CLAIMS_NOT_PERMITTED');
      expect(problem.errors).toEqual([
        { path: 'claims', message: 'address is not in the contract' },
        { path: 'claims', message: 'given_name#ja-Kana-JP is not in the contract' },
      ]);
    });

    it('checks the claims before the purpose', async () => {
      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['address'], 'marketing'));

      expect(problem.code).toBe('CLAIMS_NOT_PERMITTED');
    });

    it('refuses a purpose the contract does not allow with PURPOSE_NOT_PERMITTED', async () => {
      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'marketing'));

      expect(problem.code).toBe('PURPOSE_NOT_PERMITTED');
    });

    it('refuses a closed bank with BANK_CLOSED, naming it', async () => {
      prisma.contract.findFirst.mockResolvedValue(withBank(makeContract(), makeBank({ status: 'closed', name: 'Kaede Bank' })));

      const problem = await problemOf(sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening'));

      expect(problem.code).toBe('BANK_CLOSED');
      expect(problem.detail).toContain('Kaede Bank');
    });

    it('permits an empty claim list (the release re-checks only the contract, purpose and bank)', async () => {
      await expect(sut.permit(ENTERPRISE_ID, BANK_ID, [], 'account_opening')).resolves.toBeDefined();
    });

    it('answers the enterprise, the bank and the contract without its nested bank', async () => {
      const enterprise = makeEnterprise();
      const bank = makeBank();
      const contract = makeContract({ claims: ['family_name', 'birthdate'], purposes: ['account_opening', 'age_check'] });
      prisma.enterprise.findUnique.mockResolvedValue(enterprise);
      prisma.contract.findFirst.mockResolvedValue(withBank(contract, bank));

      const permission = await sut.permit(ENTERPRISE_ID, BANK_ID, ['birthdate', 'family_name'], 'age_check');

      expect(permission.enterprise).toEqual(enterprise);
      expect(permission.bank).toEqual(bank);
      expect(permission.contract).toEqual(contract);
      expect(permission.contract).not.toHaveProperty('bank');
    });
  });

  describe('limit', () => {
    it('counts the request against the contract’s own limit when it has one', async () => {
      await sut.limit(makeContract({ id: 'ctr_ffffffffffffffffffffffffffffffff', rateLimitRps: 7 }));

      expect(limiter.hit).toHaveBeenCalledExactlyOnceWith('ctr_ffffffffffffffffffffffffffffffff', 7);
    });

    it('does not touch the limiter when the contract has no rate limit', async () => {
      await sut.limit(makeContract({ rateLimitRps: null }));

      expect(limiter.hit).not.toHaveBeenCalled();
    });

    it('passes the limiter’s RATE_LIMITED on', async () => {
      limiter.hit.mockRejectedValue(new ProblemError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 1 }));

      const problem = await problemOf(sut.limit(makeContract({ rateLimitRps: 1 })));

      expect(problem.code).toBe('RATE_LIMITED');
    });
  });

  describe('find', () => {
    it('answers undefined for an unknown contract id', async () => {
      await expect(sut.find('ctr_unknown')).resolves.toBeUndefined();
      expect(prisma.contract.findUnique).toHaveBeenCalledWith({ where: { id: 'ctr_unknown' } });
    });
  });

  describe('active', () => {
    it('keeps only the active contracts inside their validity window at `now`', async () => {
      const now = new Date('2025-06-01T12:00:00.000Z');
      const open = withBank(makeContract({ id: 'ctr_open', validFrom: new Date('2025-01-01'), validUntil: null }));
      const unbounded = withBank(makeContract({ id: 'ctr_unbounded', bankId: 'bank-b' }));
      const future = withBank(makeContract({ id: 'ctr_future', validFrom: new Date('2025-07-01') }));
      const past = withBank(makeContract({ id: 'ctr_past', validUntil: new Date('2025-05-31') }));
      prisma.contract.findMany.mockResolvedValue([open, future, unbounded, past]);

      const active = await sut.active(ENTERPRISE_ID, now);

      expect(active.map((c) => c.id)).toEqual(['ctr_open', 'ctr_unbounded']);
      expect(active[0]?.bank).toEqual(open.bank);
      expect(prisma.contract.findMany).toHaveBeenCalledWith({
        where: { enterpriseId: ENTERPRISE_ID, status: 'active' },
        include: { bank: true },
        orderBy: { bankId: 'asc' },
      });
    });

    it('uses the current time when no `now` is given', async () => {
      const ended = withBank(makeContract({ id: 'ctr_ended', validUntil: new Date(Date.now() - 1_000) }));
      const current = withBank(makeContract({ id: 'ctr_current', validUntil: new Date(Date.now() + DAY) }));
      prisma.contract.findMany.mockResolvedValue([ended, current]);

      const active = await sut.active(ENTERPRISE_ID);

      expect(active.map((c) => c.id)).toEqual(['ctr_current']);
    });
  });
});

describe(`${ContractPolicy.name} caches`, () => {
  let sut: ContractPolicy;
  let prisma: PrismaMock;
  let invalidation: CacheInvalidationFake;
  const permit = (): Promise<unknown> => sut.permit(ENTERPRISE_ID, BANK_ID, ['family_name'], 'account_opening');

  beforeEach(async () => {
    prisma = newPrismaMock();
    invalidation = newCacheInvalidation();
    await invalidation.connect();
    sut = new ContractPolicy(prisma as unknown as PrismaService, newLimiterMock() as unknown as ContractRateLimit, invalidation.bus);
    prisma.enterprise.findUnique.mockResolvedValue(makeEnterprise());
    prisma.contract.findFirst.mockResolvedValue(withBank(makeContract()));
  });

  it('reads the enterprise and the pair’s contract once for repeated checks', async () => {
    await permit();
    await permit();
    await sut.enterprise(ENTERPRISE_ID);

    expect(prisma.enterprise.findUnique).toHaveBeenCalledTimes(1);
    expect(prisma.contract.findFirst).toHaveBeenCalledTimes(1);
  });

  it('judges the validity window of a cached contract per request', async () => {
    prisma.contract.findFirst.mockResolvedValue(withBank(makeContract({ validUntil: new Date(Date.now() + 50) })));
    await permit();

    await new Promise((resolve) => setTimeout(resolve, 60));

    expect((await problemOf(permit())).code).toBe('CONTRACT_NOT_FOUND');
    expect(prisma.contract.findFirst).toHaveBeenCalledTimes(1);
  });

  it('does not cache a missing contract', async () => {
    prisma.contract.findFirst.mockResolvedValue(null);
    await problemOf(permit());
    await problemOf(permit());

    expect(prisma.contract.findFirst).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a contract', 'contract', 'ctr_other', 'CONTRACT_NOT_FOUND', (): ContractWithBank | null => null],
    ['its bank', 'bank', BANK_ID, 'BANK_CLOSED', (): ContractWithBank | null => withBank(makeContract(), makeBank({ status: 'closed' }))],
  ] as const)('reads the contract again once %s changed', async (_label, kind, id, code, after) => {
    await permit();
    prisma.contract.findFirst.mockResolvedValue(after());

    invalidation.subscriber.deliver(kind, id);

    expect((await problemOf(permit())).code).toBe(code);
    expect(prisma.contract.findFirst).toHaveBeenCalledTimes(2);
  });

  it('reads the enterprise again once it changed', async () => {
    await permit();
    prisma.enterprise.findUnique.mockResolvedValue(makeEnterprise({ status: 'suspended' }));

    invalidation.subscriber.deliver('enterprise', ENTERPRISE_ID);

    expect((await problemOf(permit())).code).toBe('ENTERPRISE_SUSPENDED');
  });

  it('caches the active list and drops it when a contract changes', async () => {
    prisma.contract.findMany.mockResolvedValue([withBank(makeContract())]);
    await sut.active(ENTERPRISE_ID);
    await sut.active(ENTERPRISE_ID);
    expect(prisma.contract.findMany).toHaveBeenCalledTimes(1);

    invalidation.subscriber.deliver('contract', 'ctr_new');
    await sut.active(ENTERPRISE_ID);
    expect(prisma.contract.findMany).toHaveBeenCalledTimes(2);
  });
});

describe(isWithinWindow.name, () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  const at = (deltaMs: number): Date => new Date(now.getTime() + deltaMs);

  it.each([
    ['no bounds', true, null, null],
    ['validFrom exactly now (inclusive)', true, at(0), null],
    ['validFrom 1 ms ahead', false, at(1), null],
    ['validFrom 1 ms ago', true, at(-1), null],
    ['validUntil exactly now (exclusive)', false, null, at(0)],
    ['validUntil 1 ms ahead', true, null, at(1)],
    ['validUntil 1 ms ago', false, null, at(-1)],
    ['inside both bounds', true, at(-DAY), at(DAY)],
    ['both bounds in the past', false, at(-2 * DAY), at(-DAY)],
  ] as const)('%s → within: %s', (_label, expected, validFrom, validUntil) => {
    expect(isWithinWindow(makeContract({ validFrom, validUntil }), now)).toBe(expected);
  });
});
