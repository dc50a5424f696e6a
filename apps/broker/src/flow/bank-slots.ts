import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisService } from '@kyc/platform';

/**
 * Reserves the next start time for a call to a bank, atomically and on Redis's clock. Start times
 * form a sorted log per bank; a new one is placed no earlier than `window` after the start `max_rps`
 * places before it, and never before the latest reservation (first come, first served). So no window
 * of that length ever holds more than `max_rps` starts, and a waiter learns at once when its turn is,
 * or that its turn lies beyond its budget (then it is shed without touching Redis again).
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return {0, paused, 1} end
local maxRps, window, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[2])
local at = now
if n > 0 then
  at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2]))
end
if n >= maxRps then
  at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[2], n - maxRps, n - maxRps, 'WITHSCORES')[2]) + window)
end
if at - now > budget then return {0, at - now, 0} end
redis.call('ZADD', KEYS[2], at, ARGV[4])
redis.call('PEXPIRE', KEYS[2], at - now + window + 1000)
return {1, at - now, 0}
`;

/** A concurrency lease; leases expire by themselves, so a crashed instance cannot keep slots. */
const LEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
`;

export type Reservation =
  | { readonly granted: true; readonly waitMs: number }
  | { readonly granted: false; readonly waitMs: number; readonly paused: boolean };

const keys = (bankId: string): { paused: string; starts: string; leases: string } => {
  const tag = `kyc:flow:{${bankId}}`;
  return { paused: `${tag}:paused`, starts: `${tag}:starts`, leases: `${tag}:leases` };
};

@Injectable()
export class BankSlots {
  constructor(private readonly redis: RedisService) {}

  /** A start time at most `budgetMs` away (`waitMs` from now), or how far the next one is. */
  async reserve(bankId: string, maxRps: number, windowMs: number, budgetMs: number): Promise<Reservation> {
    const k = keys(bankId);
    const [granted, waitMs, paused] = (await this.redis.client.eval(
      RESERVE,
      2,
      k.paused,
      k.starts,
      maxRps,
      windowMs,
      Math.max(0, Math.floor(budgetMs)),
      randomUUID(),
    )) as [number, number, number];
    return granted === 1 ? { granted: true, waitMs } : { granted: false, waitMs, paused: paused === 1 };
  }

  /** A concurrency lease id, or undefined when `maxConcurrency` calls are in flight. */
  async lease(bankId: string, maxConcurrency: number, leaseMs: number): Promise<string | undefined> {
    const id = randomUUID();
    const ok = (await this.redis.client.eval(LEASE, 1, keys(bankId).leases, maxConcurrency, leaseMs, id)) as number;
    return ok === 1 ? id : undefined;
  }

  async release(bankId: string, lease: string): Promise<void> {
    await this.redis.client.zrem(keys(bankId).leases, lease);
  }

  /** The bank said 429: no instance calls it again before `ms` have passed. */
  async pause(bankId: string, ms: number): Promise<void> {
    await this.redis.client.set(keys(bankId).paused, '1', 'PX', Math.max(1, Math.round(ms)));
  }
}
