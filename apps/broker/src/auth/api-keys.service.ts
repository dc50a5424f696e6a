import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@kyc/common-schema';
import { BROKER_CONFIG, CacheInvalidation, PrismaService, ProblemError, type BrokerConfig, type TtlCache } from '@kyc/platform';
import type { Principal, Role } from './principal.js';

const KEY_PREFIX = 'kyck_';
/** The id under which the configured OPERATOR_BOOTSTRAP_KEY acts, and can be disabled. */
export const BOOTSTRAP_KEY_ID = 'key_bootstrap';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What the caller of `authenticate` hears of a key that is not cached (see AuthFailureLimit). */
export interface KeyLookupHooks {
  before(): Promise<void>;
  unknown(): Promise<void>;
}

export interface IssuedKey {
  readonly id: string;
  readonly key: string;
  readonly role: Role;
  readonly enterpriseId: string | undefined;
}

/**
 * Known, unrevoked keys by digest. SPEC §4 (a revoked key stops within 1 s everywhere) holds through
 * the invalidation bus, not the TTL: the TTL is only the safety net (ADR 0013).
 */
const KEY_CACHE_MS = 30_000;
const KEY_CACHE_MAX = 10_000;

/** API keys: 256 random bits, shown once, stored only as SHA-256, one role each, revocable. */
@Injectable()
export class ApiKeysService {
  private readonly bootstrapHash: Buffer | undefined;
  /** Unknown and revoked keys are never cached, so guessing fills nothing. */
  private readonly principals: TtlCache<string, Principal>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
    private readonly invalidation: CacheInvalidation,
  ) {
    this.bootstrapHash =
      config.operatorBootstrapKey === undefined ? undefined : Buffer.from(hashApiKey(config.operatorBootstrapKey), 'hex');
    this.principals = invalidation.cache({
      max: KEY_CACHE_MAX,
      ttlMs: KEY_CACHE_MS,
      invalidate: ({ kind, id }, cache) => {
        if (kind === 'api-key') cache.deleteWhere((principal) => principal.keyId === id);
        // A suspension (or reinstatement) changes what the enterprise's keys may do.
        if (kind === 'enterprise') cache.deleteWhere((principal) => principal.enterpriseId === id);
      },
    });
  }

  async issue(role: Role, enterpriseId?: string): Promise<IssuedKey> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = newId('apiKey');
    await this.prisma.apiKey.create({ data: { id, role, enterpriseId: enterpriseId ?? null, keyHash: hashApiKey(key) } });
    await this.invalidation.publish('api-key', id);
    return { id, key, role, enterpriseId };
  }

  async revoke(id: string): Promise<void> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) throw new ProblemError('NOT_FOUND', 'No such API key.');
    await this.invalidation.publish('api-key', id);
  }

  /**
   * Disables the configured bootstrap key for good (a row under its id, revoked), once another
   * operator key exists, so that disabling it cannot lock every operator out.
   */
  async disableBootstrap(): Promise<void> {
    if (this.bootstrapHash === undefined) throw new ProblemError('NOT_FOUND', 'No bootstrap key is configured.');
    const operators = await this.prisma.apiKey.count({ where: { role: 'operator', revokedAt: null, id: { not: BOOTSTRAP_KEY_ID } } });
    if (operators === 0) throw new ProblemError('FORBIDDEN', 'Issue another operator key before disabling the bootstrap key.');
    const now = new Date();
    await this.prisma.apiKey.upsert({
      where: { id: BOOTSTRAP_KEY_ID },
      create: { id: BOOTSTRAP_KEY_ID, role: 'operator', enterpriseId: null, keyHash: this.bootstrapHash.toString('hex'), revokedAt: now },
      update: { revokedAt: now },
    });
    await this.invalidation.publish('api-key', BOOTSTRAP_KEY_ID);
  }

  /**
   * The principal for a presented key, or undefined when the key is unknown or revoked. `lookup`
   * hears of every key the instance does not already know: `before` the database is asked (and may
   * refuse), `unknown` when the key turned out unknown or revoked.
   */
  async authenticate(presented: string, lookup?: KeyLookupHooks): Promise<Principal | undefined> {
    const digest = hashApiKey(presented);
    if (this.bootstrapHash !== undefined && timingSafeEqual(this.bootstrapHash, Buffer.from(digest, 'hex'))) {
      // Until an operator disables it (a revoked row under its id).
      return this.principals.load(digest, async () => {
        const row = await this.prisma.apiKey.findUnique({ where: { id: BOOTSTRAP_KEY_ID } });
        return row?.revokedAt != null ? undefined : { keyId: BOOTSTRAP_KEY_ID, role: 'operator', enterpriseId: undefined };
      });
    }
    if (!presented.startsWith(KEY_PREFIX)) {
      await lookup?.before();
      await lookup?.unknown();
      return undefined;
    }
    return this.principals.load(digest, async () => {
      await lookup?.before();
      const row = await this.prisma.apiKey.findUnique({ where: { keyHash: digest }, include: { enterprise: { select: { status: true } } } });
      if (row === null || row.revokedAt !== null) {
        await lookup?.unknown();
        return undefined;
      }
      return {
        keyId: row.id,
        role: row.role,
        enterpriseId: row.enterpriseId ?? undefined,
        ...(row.enterprise?.status === 'suspended' ? { suspended: true } : {}),
      };
    });
  }
}
