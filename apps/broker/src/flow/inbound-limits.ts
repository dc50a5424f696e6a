import { createHash } from 'node:crypto';
import { Inject, Injectable, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getOptionsToken, getStorageToken, ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerOptions, type ThrottlerRequest } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { clientAddress, ProblemError, rateLimitHeaders, RedisThrottlerStorage, type BrokerConfig, type ThrottlerRecord } from '@kyc/platform';
import type { AuthenticatedRequest } from '../auth/index.js';

const BY_ADDRESS = 'kyc:limit-by-address';
const BY_VERIFICATION = 'kyc:limit-by-verification';

/** A public route limited per client address (PUBLIC_RATE_LIMIT_PER_MINUTE). */
export const LimitByAddress = (): MethodDecorator & ClassDecorator => SetMetadata(BY_ADDRESS, true);
/** A public route limited per verification named by its `:id` (AUTHORIZE_RATE_LIMIT_PER_MINUTE). */
export const LimitByVerification = (): MethodDecorator & ClassDecorator => SetMetadata(BY_VERIFICATION, true);

type Named = 'enterprise' | 'staff' | 'address' | 'verification';

const principalOf = (context: ExecutionContext): AuthenticatedRequest['principal'] => context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
const marked = (reflector: Reflector, key: string, context: ExecutionContext): boolean =>
  reflector.getAllAndOverride<boolean | undefined>(key, [context.getHandler(), context.getClass()]) === true;

/**
 * Every inbound limit, as @nestjs/throttler's named throttlers counted in Redis (so they hold across
 * instances): per enterprise on its keys' requests (SPEC §7), per key for auditors and operators,
 * and on the public consent routes per client address and per verification.
 */
export function inboundThrottlers(config: BrokerConfig, reflector: Reflector): ThrottlerOptions[] {
  const named = (name: Named, options: Omit<ThrottlerOptions, 'name'>): ThrottlerOptions => ({ name, ...options });
  return [
    named('enterprise', {
      ttl: 1_000,
      limit: config.enterpriseRateLimitRps,
      skipIf: (context) => principalOf(context)?.enterpriseId === undefined,
      getTracker: (_req, context) => principalOf(context)?.enterpriseId ?? '',
    }),
    named('staff', {
      ttl: 1_000,
      limit: config.inbound.staffRps,
      skipIf: (context) => {
        const role = principalOf(context)?.role;
        return role !== 'auditor' && role !== 'operator';
      },
      getTracker: (_req, context) => principalOf(context)?.keyId ?? '',
    }),
    named('address', {
      ttl: 60_000,
      limit: config.inbound.addressPerMinute,
      skipIf: (context) => !marked(reflector, BY_ADDRESS, context),
      getTracker: (req) => clientAddress(req as Request),
    }),
    named('verification', {
      ttl: 60_000,
      limit: config.inbound.authorizePerMinute,
      skipIf: (context) => !marked(reflector, BY_VERIFICATION, context),
      getTracker: (req) => String((req as Request).params['id'] ?? ''),
    }),
  ];
}

const MESSAGES: Record<Named, (limit: number) => string> = {
  enterprise: (limit) => `More than ${limit} requests per second; slow down.`,
  staff: (limit) => `More than ${limit} requests per second for this key; slow down.`,
  address: () => 'Too many requests from this address; retry later.',
  verification: () => 'Too many attempts for this verification; retry later.',
};

/**
 * The throttler guard with SPEC §3's answer: 429 `RATE_LIMITED` as a problem, with Retry-After and
 * RateLimit-* (the tightest of the limits that applied). Runs after AuthGuard, which names the
 * principal. Counters are keyed by limit and tracker only, so one enterprise's limit spans all routes.
 */
@Injectable()
export class InboundThrottlerGuard extends ThrottlerGuard {
  constructor(@Inject(getOptionsToken()) options: ThrottlerModuleOptions, @Inject(getStorageToken()) storage: RedisThrottlerStorage, reflector: Reflector) {
    super(options, storage, reflector);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return createHash('sha256').update(`${name}\u0000${tracker}`).digest('base64url');
  }

  protected override async handleRequest({ context, limit, ttl, throttler, blockDuration, getTracker, generateKey }: ThrottlerRequest): Promise<boolean> {
    const http = context.switchToHttp();
    const name = (throttler.name ?? 'enterprise') as Named;
    const tracker = await getTracker(http.getRequest<Request>(), context);
    const record = (await this.storageService.increment(generateKey(context, tracker, name), ttl, limit, blockDuration, name)) as ThrottlerRecord;
    const state = { limit, remaining: Math.max(0, limit - record.totalHits), resetSeconds: record.timeToExpire };
    const res = http.getResponse<Response>();
    if (record.isBlocked) {
      // The limit that refused is the one the answer names (not a looser one counted before it).
      const headers = rateLimitHeaders({ ...state, remaining: 0 });
      res.set(headers);
      throw new ProblemError('RATE_LIMITED', MESSAGES[name](limit), { retryAfterSeconds: record.timeToBlockExpire, headers });
    }
    const shown = Number(res.getHeader('RateLimit-Remaining') ?? Number.POSITIVE_INFINITY);
    if (state.remaining < shown) res.set(rateLimitHeaders(state));
    return true;
  }
}

/** A contract's own `rate_limit_rps` (on top of the enterprise's), counted in the throttler's storage. */
@Injectable()
export class ContractRateLimit {
  constructor(private readonly storage: RedisThrottlerStorage) {}

  async hit(contractId: string, limit: number): Promise<void> {
    const record = await this.storage.increment(contractId, 1_000, limit, 1_000, 'contract');
    if (record.isBlocked) {
      throw new ProblemError('RATE_LIMITED', `More than ${limit} requests per second under this contract; slow down.`, {
        retryAfterSeconds: record.timeToBlockExpire,
        headers: rateLimitHeaders({ limit, remaining: 0, resetSeconds: record.timeToExpire }),
      });
    }
  }
}
