import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisService } from './redis.js';
import { defineScript, type RedisScript } from './script.js';

/** What @nestjs/throttler asks of a storage: hits in the window, seconds left, and the block. */
export interface ThrottlerRecord {
  readonly totalHits: number;
  readonly timeToExpire: number;
  readonly isBlocked: boolean;
  readonly timeToBlockExpire: number;
}

/**
 * One call: a block still running answers at once; otherwise the hit is counted in a window that
 * starts with its first hit, and a hit over the limit starts a block. Both keys carry one hash tag,
 * so the script also runs on a Redis cluster. Milliseconds in, milliseconds out.
 */
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or ARGV[2]), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, left, 1, tonumber(ARGV[3])}
end
return {hits, left, 0, 0}
`;

/**
 * The key of one limiter, tracker and limit. The limit is part of it: a block under one limit does
 * not refuse a caller under another (a contract's changed rate_limit_rps starts afresh).
 */
const baseKey = (key: string, limit: number, throttlerName: string): string => `kyc:thr:{${throttlerName}:${key}}:${limit}`;

/**
 * The throttler's storage on the platform's own Redis connection, so every broker instance counts
 * against the same limits (no published Redis storage declares NestJS 12). Keys live under
 * `kyc:thr:`, per limiter, tracker and limit; `key` is the guard's own (already a bounded hash).
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly script: RedisScript;

  constructor(private readonly redis: RedisService) {
    this.script = defineScript(redis.client, 'kycThrottle', 2, INCREMENT);
  }

  /** How long a block of `key` under `limit` still runs, in ms (0 when none): a read, no hit counted. */
  async blockedFor(key: string, limit: number, throttlerName: string): Promise<number> {
    return Math.max(0, await this.redis.client.pttl(`${baseKey(key, limit, throttlerName)}:blocked`));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerRecord> {
    const base = baseKey(key, limit, throttlerName);
    const answer = (await this.script([base, `${base}:blocked`], [Math.max(1, Math.ceil(ttl)), limit, Math.max(1, Math.ceil(blockDuration))])) as [number, number, number, number];
    const [hits, leftMs, blocked, blockMs] = answer;
    return {
      totalHits: hits,
      timeToExpire: Math.max(1, Math.ceil(leftMs / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.max(1, Math.ceil(blockMs / 1000)) : 0,
    };
  }
}
