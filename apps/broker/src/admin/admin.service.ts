import { Inject, Injectable } from '@nestjs/common';
import {
  isId,
  newId,
  type ContractFilter,
  type CreateContract,
  type CreateEnterprise,
  type PatchBank,
  type PatchContract,
  type PatchEnterprise,
} from '@kyc/common-schema';
import { BROKER_CONFIG, CacheInvalidation, Prisma, PrismaService, ProblemError, Sealer, type Bank, type BrokerConfig, type Contract, type Enterprise } from '@kyc/platform';
import { newWebhookSecret, previousWebhookSecretContext, webhookSecretContext, webhookUrlProblem } from '../webhooks/index.js';

const notFound = (what: string): ProblemError => new ProblemError('NOT_FOUND', `No such ${what}.`);

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/**
 * Operator actions: tenants, contracts, banks. Every change goes through here, and each one tells
 * every instance's caches after it committed (ADR 0013).
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sealer: Sealer,
    private readonly invalidation: CacheInvalidation,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  /** A webhook URL the broker may post to (SSRF guard at registration; delivery checks again). */
  private assertWebhookUrl(url: string | null | undefined): void {
    if (url === null || url === undefined) return;
    const problem = webhookUrlProblem(url, this.config.webhooks.allowLoopback);
    if (problem !== undefined) {
      throw new ProblemError('VALIDATION_FAILED', 'The webhook URL is not one the broker may call.', { errors: [{ path: 'webhook_url', message: problem }] });
    }
  }

  async createEnterprise(body: CreateEnterprise): Promise<{ enterprise: Enterprise; webhookSecret: string }> {
    this.assertWebhookUrl(body.webhook_url);
    const id = newId('enterprise');
    const webhookSecret = newWebhookSecret(this.sealer, id);
    const enterprise = await this.prisma.enterprise.create({
      data: {
        id,
        name: body.name,
        redirectUris: body.redirect_uris,
        webhookUrl: body.webhook_url ?? null,
        webhookSecretSealed: webhookSecret.sealed,
      },
    });
    await this.invalidation.publish('enterprise', id);
    return { enterprise, webhookSecret: webhookSecret.secret };
  }

  /**
   * A new webhook secret, shown once. The current one becomes the previous one: deliveries carry a
   * signature with each until the overlap ends, so receivers can switch without losing events.
   */
  async rotateWebhookSecret(id: string): Promise<{ webhookSecret: string; previousValidUntil: Date }> {
    const current = await this.enterprise(id);
    const fresh = newWebhookSecret(this.sealer, id);
    const previous = this.sealer.open(current.webhookSecretSealed, webhookSecretContext(id));
    const previousValidUntil = new Date(Date.now() + this.config.webhooks.secretOverlapSeconds * 1000);
    await this.prisma.enterprise.update({
      where: { id },
      data: {
        webhookSecretSealed: fresh.sealed,
        webhookSecretPreviousSealed: this.sealer.seal(previous, previousWebhookSecretContext(id)),
        webhookSecretPreviousUntil: previousValidUntil,
      },
    });
    await this.invalidation.publish('enterprise', id);
    return { webhookSecret: fresh.secret, previousValidUntil };
  }

  listEnterprises(): Promise<Enterprise[]> {
    return this.prisma.enterprise.findMany({ orderBy: { createdAt: 'desc' }, take: 500 });
  }

  async patchEnterprise(id: string, body: PatchEnterprise): Promise<Enterprise> {
    this.assertWebhookUrl(body.webhook_url);
    await this.enterprise(id);
    const enterprise = await this.prisma.enterprise.update({
      where: { id },
      data: {
        ...(body.status === undefined ? {} : { status: body.status }),
        ...(body.redirect_uris === undefined ? {} : { redirectUris: body.redirect_uris }),
        ...(body.webhook_url === undefined ? {} : { webhookUrl: body.webhook_url }),
      },
    });
    await this.invalidation.publish('enterprise', id);
    return enterprise;
  }

  async enterprise(id: string): Promise<Enterprise> {
    const row = isId('enterprise', id) ? await this.prisma.enterprise.findUnique({ where: { id } }) : null;
    if (row === null) throw notFound('enterprise');
    return row;
  }

  async createContract(body: CreateContract): Promise<Contract> {
    const [enterprise, bank] = await Promise.all([
      isId('enterprise', body.enterprise_id) ? this.prisma.enterprise.findUnique({ where: { id: body.enterprise_id } }) : null,
      this.prisma.bank.findUnique({ where: { id: body.bank_id } }),
    ]);
    const errors = [
      ...(enterprise === null ? [{ path: 'enterprise_id', message: 'no such enterprise' }] : []),
      ...(bank === null ? [{ path: 'bank_id', message: 'no such bank' }] : []),
    ];
    if (errors.length > 0) throw new ProblemError('VALIDATION_FAILED', 'The contract names unknown parties.', { errors });
    let contract: Contract;
    try {
      contract = await this.prisma.contract.create({
        data: {
          id: newId('contract'),
          enterpriseId: body.enterprise_id,
          bankId: body.bank_id,
          claims: body.claims,
          purposes: body.purposes,
          mode: body.mode,
          validFrom: body.valid_from ?? null,
          validUntil: body.valid_until ?? null,
          rateLimitRps: body.rate_limit_rps ?? null,
          accessTtlSeconds: body.access_ttl_seconds ?? null,
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ProblemError('CONTRACT_CONFLICT', 'This enterprise already has an active contract with this bank; end it first.');
      }
      throw err;
    }
    await this.invalidation.publish('contract', contract.id);
    return contract;
  }

  listContracts(filter: ContractFilter): Promise<Contract[]> {
    return this.prisma.contract.findMany({
      where: {
        ...(filter.enterprise_id === undefined ? {} : { enterpriseId: filter.enterprise_id }),
        ...(filter.bank_id === undefined ? {} : { bankId: filter.bank_id }),
        ...(filter.status === undefined ? {} : { status: filter.status }),
      },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
  }

  async patchContract(id: string, body: PatchContract): Promise<Contract> {
    const current = isId('contract', id) ? await this.prisma.contract.findUnique({ where: { id } }) : null;
    if (current === null) throw notFound('contract');
    if (current.status === 'ended') throw new ProblemError('CONTRACT_CONFLICT', 'An ended contract cannot change.');
    const validFrom = body.valid_from === undefined ? current.validFrom : body.valid_from;
    const validUntil = body.valid_until === undefined ? current.validUntil : body.valid_until;
    if (validFrom && validUntil && validFrom >= validUntil) {
      throw new ProblemError('VALIDATION_FAILED', 'valid_from must be before valid_until.', {
        errors: [{ path: 'valid_until', message: 'must be after valid_from' }],
      });
    }
    const contract = await this.prisma.contract.update({
      where: { id },
      data: {
        ...(body.claims === undefined ? {} : { claims: body.claims }),
        ...(body.purposes === undefined ? {} : { purposes: body.purposes }),
        ...(body.valid_from === undefined ? {} : { validFrom: body.valid_from }),
        ...(body.valid_until === undefined ? {} : { validUntil: body.valid_until }),
        ...(body.rate_limit_rps === undefined ? {} : { rateLimitRps: body.rate_limit_rps }),
        ...(body.access_ttl_seconds === undefined ? {} : { accessTtlSeconds: body.access_ttl_seconds }),
        ...(body.status === undefined ? {} : { status: body.status }),
      },
    });
    await this.invalidation.publish('contract', id);
    return contract;
  }

  listBanks(): Promise<Bank[]> {
    return this.prisma.bank.findMany({ orderBy: { id: 'asc' } });
  }

  async patchBank(id: string, body: PatchBank): Promise<Bank> {
    const bank = await this.prisma.bank.findUnique({ where: { id } });
    if (bank === null) throw notFound('bank');
    const updated = await this.prisma.bank.update({
      where: { id },
      data: {
        ...(body.status === undefined ? {} : { status: body.status }),
        ...(body.max_rps === undefined ? {} : { maxRps: body.max_rps }),
        ...(body.max_concurrency === undefined ? {} : { maxConcurrency: body.max_concurrency }),
      },
    });
    await this.invalidation.publish('bank', id);
    return updated;
  }
}
