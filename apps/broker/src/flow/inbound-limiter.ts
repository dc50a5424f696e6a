import { Injectable } from '@nestjs/common';
import { defineScript, ProblemError, RedisService, type RedisScript } from '@kyc/platform';

/** One counter per key and whole second of Redis's clock, so the limit holds across broker instances. */
const HIT = `
local t = redis.call('TIME')
local key = KEYS[1] .. ':' .. t[1]
local n = redis.call('INCR', key)
if n == 1 then redis.call('PEXPIRE', key, 2000) end
return {n, 1000 - math.floor(tonumber(t[2]) / 1000)}
`;

export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  readonly resetSeconds: number;
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
  };
}

/** Inbound requests per second per enterprise (SPEC §7), answered 429 with Retry-After and RateLimit-*. */
@Injectable()
export class InboundLimiter {
  private readonly script: RedisScript;

  constructor(redis: RedisService) {
    this.script = defineScript(redis.client, 'kycInboundHit', 1, HIT);
  }

  /** Counts one request against `key`; throws RATE_LIMITED when over `limit`. */
  async hit(key: string, limit: number): Promise<RateLimitState> {
    const [count, msLeft] = (await this.script([`kyc:in:{${key}}`], [])) as [number, number];
    const state = { limit, remaining: Math.max(0, limit - count), resetSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
    if (count > limit) {
      throw new ProblemError('RATE_LIMITED', `More than ${limit} requests per second; slow down.`, {
        retryAfterSeconds: state.resetSeconds,
        headers: rateLimitHeaders(state),
      });
    }
    return state;
  }
}
