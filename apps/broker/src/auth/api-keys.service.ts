import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@kyc/common-schema';
import { BROKER_CONFIG, PrismaService, ProblemError, type BrokerConfig } from '@kyc/platform';
import type { Principal, Role } from './principal.js';

const KEY_PREFIX = 'kyck_';
const BOOTSTRAP_KEY_ID = 'key_bootstrap';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface IssuedKey {
  readonly id: string;
  readonly key: string;
  readonly role: Role;
  readonly enterpriseId: string | undefined;
}

/**
 * How long a looked-up key is trusted without asking the database again. SPEC §4: a revoked key
 * stops working on every instance within 1 s; on the instance that revoked it, at once.
 */
const KEY_CACHE_MS = 500;
const KEY_CACHE_MAX = 10_000;

/** API keys: 256 random bits, shown once, stored only as SHA-256, one role each, revocable. */
@Injectable()
export class ApiKeysService {
  private readonly bootstrapHash: Buffer | undefined;
  /** Known, unrevoked keys by digest (unknown ones are never cached, so guessing fills nothing). */
  private readonly recent = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
  ) {
    this.bootstrapHash =
      config.operatorBootstrapKey === undefined ? undefined : Buffer.from(hashApiKey(config.operatorBootstrapKey), 'hex');
  }

  async issue(role: Role, enterpriseId?: string): Promise<IssuedKey> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = newId('apiKey');
    await this.prisma.apiKey.create({ data: { id, role, enterpriseId: enterpriseId ?? null, keyHash: hashApiKey(key) } });
    return { id, key, role, enterpriseId };
  }

  async revoke(id: string): Promise<void> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) throw new ProblemError('NOT_FOUND', 'No such API key.');
    for (const [digest, cached] of this.recent) if (cached.principal.keyId === id) this.recent.delete(digest);
  }

  /** The principal for a presented key, or undefined when the key is unknown or revoked. */
  async authenticate(presented: string): Promise<Principal | undefined> {
    const digest = hashApiKey(presented);
    if (this.bootstrapHash !== undefined && timingSafeEqual(this.bootstrapHash, Buffer.from(digest, 'hex'))) {
      return { keyId: BOOTSTRAP_KEY_ID, role: 'operator', enterpriseId: undefined };
    }
    if (!presented.startsWith(KEY_PREFIX)) return undefined;
    const now = Date.now();
    const cached = this.recent.get(digest);
    if (cached !== undefined && cached.until > now) return cached.principal;
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash: digest } });
    if (row === null || row.revokedAt !== null) {
      this.recent.delete(digest);
      return undefined;
    }
    const principal: Principal = { keyId: row.id, role: row.role, enterpriseId: row.enterpriseId ?? undefined };
    if (this.recent.size >= KEY_CACHE_MAX) this.recent.delete(this.recent.keys().next().value ?? '');
    this.recent.set(digest, { principal, until: now + KEY_CACHE_MS });
    return principal;
  }
}
