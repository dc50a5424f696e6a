import { Injectable } from '@nestjs/common';
import type { ClaimName } from '@kyc/common-schema';
import { CacheInvalidation, PrismaService, ProblemError, type Bank, type Contract, type Enterprise, type TtlCache } from '@kyc/platform';
import { ContractRateLimit } from '../flow/index.js';

export interface Permission {
  readonly enterprise: Enterprise;
  readonly bank: Bank;
  readonly contract: Contract;
}

type ContractWithBank = Contract & { bank: Bank };

/** Rows, never decisions: windows and statuses are judged per request. Invalidated by admin writes (ADR 0013). */
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

export function isWithinWindow(contract: Contract, now: Date): boolean {
  return (contract.validFrom === null || contract.validFrom <= now) && (contract.validUntil === null || now < contract.validUntil);
}

/**
 * The contract check of SPEC §7, done before any call to a bank: the enterprise is active, it has an
 * active contract with the bank inside its validity window, the claims and the purpose are allowed,
 * and the bank is open.
 */
@Injectable()
export class ContractPolicy {
  private readonly enterprises: TtlCache<string, Enterprise>;
  /** The active contract (with its bank) of an enterprise–bank pair. */
  private readonly pairs: TtlCache<string, ContractWithBank>;
  /** All active contracts (with their banks) of an enterprise. */
  private readonly lists: TtlCache<string, ContractWithBank[]>;
  /** Contracts by id, whatever their status. */
  private readonly byId: TtlCache<string, Contract>;
  /** Contracts by id with their banks, whatever their status. */
  private readonly withBank: TtlCache<string, ContractWithBank>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly limiter: ContractRateLimit,
    invalidation: CacheInvalidation,
  ) {
    this.enterprises = invalidation.cache({
      max: CACHE_MAX,
      ttlMs: CACHE_MS,
      invalidate: ({ kind, id }, cache) => {
        if (kind === 'enterprise') cache.delete(id);
      },
    });
    // A contract change may add, end or alter any pair's row, and contracts carry their bank's row.
    const onContractOrBank = ({ kind }: { kind: string }, cache: { clear(): void }): void => {
      if (kind === 'contract' || kind === 'bank') cache.clear();
    };
    this.pairs = invalidation.cache({ max: CACHE_MAX, ttlMs: CACHE_MS, invalidate: onContractOrBank });
    this.lists = invalidation.cache({ max: CACHE_MAX, ttlMs: CACHE_MS, invalidate: onContractOrBank });
    this.withBank = invalidation.cache({ max: CACHE_MAX, ttlMs: CACHE_MS, invalidate: onContractOrBank });
    this.byId = invalidation.cache({
      max: CACHE_MAX,
      ttlMs: CACHE_MS,
      invalidate: ({ kind, id }, cache) => {
        if (kind === 'contract') cache.delete(id);
      },
    });
  }

  /** The enterprise's row, whatever its status, or undefined when there is none. */
  async enterprise(id: string): Promise<Enterprise | undefined> {
    return this.enterprises.load(id, async () => (await this.prisma.enterprise.findUnique({ where: { id } })) ?? undefined);
  }

  /** A contract's own `rate_limit_rps`, on top of the enterprise-wide limit. */
  async limit(contract: Contract): Promise<void> {
    if (contract.rateLimitRps !== null) await this.limiter.hit(contract.id, contract.rateLimitRps);
  }

  /** A contract by id, whatever its status (a verification keeps the id of the one it was made under). */
  async find(id: string): Promise<Contract | undefined> {
    return this.byId.load(id, async () => (await this.prisma.contract.findUnique({ where: { id } })) ?? undefined);
  }

  /** The enterprise's active contracts inside their validity window, with their banks, by bank id. */
  async active(enterpriseId: string, now = new Date()): Promise<ContractWithBank[]> {
    const contracts = await this.lists.load(enterpriseId, () =>
      this.prisma.contract.findMany({
        where: { enterpriseId, status: 'active' },
        include: { bank: true },
        orderBy: { bankId: 'asc' },
      }),
    );
    return (contracts ?? []).filter((c) => isWithinWindow(c, now));
  }

  /**
   * The check for a verification already made: its own contract (by id, never another of the same
   * pair) must still be active, inside its window, allow the purpose, and its bank be open; the
   * enterprise must be active. The answer carries the contract as it is now (its current mode and
   * claims), not as it was at consent.
   */
  async bound(enterpriseId: string, contractId: string, purpose: string): Promise<Permission> {
    const enterprise = await this.enterprise(enterpriseId);
    if (enterprise === undefined) throw new ProblemError('FORBIDDEN', 'Unknown enterprise.');
    if (enterprise.status !== 'active') throw new ProblemError('ENTERPRISE_SUSPENDED', 'This enterprise is suspended.');
    const contract = await this.withBank.load(
      contractId,
      async () => (await this.prisma.contract.findUnique({ where: { id: contractId }, include: { bank: true } })) ?? undefined,
    );
    if (contract?.enterpriseId !== enterpriseId || contract.status !== 'active' || !isWithinWindow(contract, new Date())) {
      throw new ProblemError('CONTRACT_NOT_FOUND', 'The contract this verification was made under is no longer active.');
    }
    if (!contract.purposes.includes(purpose)) throw new ProblemError('PURPOSE_NOT_PERMITTED', 'The contract no longer permits this purpose.');
    const { bank, ...bare } = contract;
    if (bank.status !== 'open') throw new ProblemError('BANK_CLOSED', `${bank.name} is closed for maintenance.`);
    return { enterprise, bank, contract: bare };
  }

  async permit(enterpriseId: string, bankId: string, claims: readonly ClaimName[], purpose: string): Promise<Permission> {
    const now = new Date();
    const enterprise = await this.enterprise(enterpriseId);
    if (enterprise === undefined) throw new ProblemError('FORBIDDEN', 'Unknown enterprise.');
    if (enterprise.status !== 'active') throw new ProblemError('ENTERPRISE_SUSPENDED', 'This enterprise is suspended.');
    const contract = await this.pairs.load(
      `${enterpriseId}\u0000${bankId}`,
      async () => (await this.prisma.contract.findFirst({ where: { enterpriseId, bankId, status: 'active' }, include: { bank: true } })) ?? undefined,
    );
    if (contract === undefined || !isWithinWindow(contract, now)) {
      throw new ProblemError('CONTRACT_NOT_FOUND', `No active contract with ${bankId} covers this request.`);
    }
    const refused = claims.filter((c) => !contract.claims.includes(c));
    if (refused.length > 0) {
      throw new ProblemError('CLAIMS_NOT_PERMITTED', 'The contract does not permit some requested claims.', {
        errors: refused.map((c) => ({ path: 'claims', message: `${c} is not in the contract` })),
      });
    }
    if (!contract.purposes.includes(purpose)) {
      throw new ProblemError('PURPOSE_NOT_PERMITTED', 'The contract does not permit this purpose.');
    }
    const { bank, ...bare } = contract;
    if (bank.status !== 'open') throw new ProblemError('BANK_CLOSED', `${bank.name} is closed for maintenance.`);
    return { enterprise, bank, contract: bare };
  }
}
