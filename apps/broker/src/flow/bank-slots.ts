import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisService } from '@kyc/platform';

/**
 * One Lua script decides, atomically and on Redis's clock, whether a call to a bank may start now:
 * the bank is not paused (it answered 429), fewer than `max_rps` calls started in the last window
 * (a sliding log, so no 1 s window anywhere holds more), and fewer than `max_concurrency` leases are
 * held. Leases expire by themselves, so a crashed broker instance cannot keep slots.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return {0, paused, 1} end
local maxRps, maxConc = tonumber(ARGV[1]), tonumber(ARGV[2])
local window, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= maxRps then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, math.max(1, tonumber(oldest[2]) + window - now), 0}
end
if redis.call('ZCARD', KEYS[3]) >= maxConc then return {0, 5, 0} end
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('PEXPIRE', KEYS[2], window + 1000)
redis.call('ZADD', KEYS[3], now + lease, ARGV[5])
redis.call('PEXPIRE', KEYS[3], lease + 1000)
return {1, 0, 0}
`;

export interface SlotLimits {
  readonly maxRps: number;
  readonly maxConcurrency: number;
  readonly windowMs: number;
  readonly leaseMs: number;
}

export type SlotAnswer = { readonly granted: true; readonly lease: string } | { readonly granted: false; readonly waitMs: number; readonly paused: boolean };

const keys = (bankId: string): [string, string, string] => {
  const tag = `kyc:flow:{${bankId}}`;
  return [`${tag}:paused`, `${tag}:started`, `${tag}:leases`];
};

@Injectable()
export class BankSlots {
  constructor(private readonly redis: RedisService) {}

  async acquire(bankId: string, limits: SlotLimits): Promise<SlotAnswer> {
    const lease = randomUUID();
    const [granted, waitMs, paused] = (await this.redis.client.eval(
      ACQUIRE,
      3,
      ...keys(bankId),
      limits.maxRps,
      limits.maxConcurrency,
      limits.windowMs,
      limits.leaseMs,
      lease,
    )) as [number, number, number];
    return granted === 1 ? { granted: true, lease } : { granted: false, waitMs, paused: paused === 1 };
  }

  async release(bankId: string, lease: string): Promise<void> {
    await this.redis.client.zrem(keys(bankId)[2], lease);
  }

  /** The bank said 429: no instance calls it again before `ms` have passed. */
  async pause(bankId: string, ms: number): Promise<void> {
    await this.redis.client.set(keys(bankId)[0], '1', 'PX', Math.max(1, Math.round(ms)));
  }
}
