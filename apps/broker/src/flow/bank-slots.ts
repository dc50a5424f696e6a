import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { defineScript, RedisService, type RedisScript } from '@kyc/platform';

/**
 * A bank's shared flow-control state in Redis, one hash tag per bank so every key of a bank lives in
 * one slot: the circuit (open flag, consecutive failures, the half-open probe), the pause a 429 set,
 * the sorted log of reserved start times, and the concurrency leases.
 */
const keys = (bankId: string): readonly string[] => {
  const tag = `kyc:flow:{${bankId}}`;
  return [`${tag}:circuit:open`, `${tag}:circuit:failures`, `${tag}:circuit:probe`, `${tag}:paused`, `${tag}:starts`, `${tag}:leases`];
};

/** The channel on which a released lease of a full bank wakes waiters (message: the bank id). */
export const SLOT_FREED_CHANNEL = 'kyc:flow:freed';

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * One round trip to admit a call (on Redis's clock, atomically):
 * 1. the circuit: open → refused with its remaining time; failed often enough → one caller at a
 *    time becomes the half-open probe, the others are refused;
 * 2. for KYC calls, the pause a bank's 429 set, then the next start time: no earlier than `window`
 *    after the start `max_rps` places before it and never before the latest reservation (first come,
 *    first served), so no window of that length holds more than `max_rps` starts; a turn beyond the
 *    budget is refused at once;
 * 3. a turn due now takes its concurrency lease in the same call when one is free.
 * A probe taken for a call that is then refused is handed back.
 * Reply: {status (0 circuit open, 1 admitted, 2 busy), ms, probe, paused, leased}.
 */
const ACQUIRE = `${NOW}
local open = redis.call('PTTL', KEYS[1])
if open > 0 then return {0, open, 0, 0, 0} end
local probe = 0
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[1]) then
  if not redis.call('SET', KEYS[3], '1', 'PX', ARGV[2], 'NX') then return {0, 1000, 0, 0, 0} end
  probe = 1
end
if ARGV[3] == '0' then return {1, 0, probe, 0, 0} end
local paused = redis.call('PTTL', KEYS[4])
if paused > 0 then
  if probe == 1 then redis.call('DEL', KEYS[3]) end
  return {2, paused, 0, 1, 0}
end
local maxRps, window, budget = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[5])
local at = now
if n > 0 then
  at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')[2]))
end
if n >= maxRps then
  at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[5], n - maxRps, n - maxRps, 'WITHSCORES')[2]) + window)
end
if at - now > budget then
  if probe == 1 then redis.call('DEL', KEYS[3]) end
  return {2, at - now, 0, 0, 0}
end
redis.call('ZADD', KEYS[5], at, ARGV[7])
redis.call('PEXPIRE', KEYS[5], at - now + window + 1000)
local leased = 0
if at == now then
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
  if redis.call('ZCARD', KEYS[6]) < tonumber(ARGV[8]) then
    redis.call('ZADD', KEYS[6], now + tonumber(ARGV[9]), ARGV[10])
    redis.call('PEXPIRE', KEYS[6], tonumber(ARGV[9]) + 1000)
    leased = 1
  end
end
return {1, at - now, probe, 0, leased}
`;

/**
 * A concurrency lease; leases expire by themselves, so a crashed instance cannot keep slots. Reply:
 * {1, 0} leased, or {0, ms until the earliest lease expires}.
 */
const LEASE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, tonumber(first[2]) - now)}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return {1, 0}
`;

/**
 * One round trip after the call: hands back the lease (waking waiters when the bank was full) and
 * records what the answer says about the bank — `ok` clears the failures and the probe, `failed`
 * counts one (opening the circuit at the threshold), `paused` stops every instance for the bank's
 * Retry-After, `none` records nothing.
 */
const SETTLE = `
if ARGV[1] ~= '' then
  local full = redis.call('ZCARD', KEYS[6]) >= tonumber(ARGV[2])
  if redis.call('ZREM', KEYS[6], ARGV[1]) == 1 and full then redis.call('PUBLISH', ARGV[8], ARGV[9]) end
end
local outcome = ARGV[3]
if outcome == 'ok' then
  redis.call('DEL', KEYS[2], KEYS[3])
elseif outcome == 'failed' then
  local failures = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
  if failures >= tonumber(ARGV[4]) then
    redis.call('SET', KEYS[1], '1', 'PX', ARGV[5])
    redis.call('DEL', KEYS[3])
  end
elseif outcome == 'paused' then
  redis.call('SET', KEYS[4], '1', 'PX', ARGV[7])
end
return 1
`;

export interface CircuitSettings {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  /** How long one probe may take before another instance may probe. */
  readonly probeTimeoutMs: number;
}

export interface SlotLimits {
  readonly maxRps: number;
  /** The rate window: 1 s plus the configured margin. */
  readonly windowMs: number;
  /** How far ahead a start may be reserved. */
  readonly budgetMs: number;
  readonly maxConcurrency: number;
  readonly leaseMs: number;
}

export type Admission =
  /** Admitted: start in `waitMs`; `lease` is set when the concurrency lease was taken with the turn. */
  | { readonly status: 'admitted'; readonly waitMs: number; readonly probe: boolean; readonly lease: string | undefined }
  | { readonly status: 'circuit-open'; readonly retryAfterMs: number }
  | { readonly status: 'busy'; readonly waitMs: number; readonly paused: boolean };

export type Lease = { readonly lease: string } | { readonly lease: undefined; readonly retryInMs: number };

export type Outcome = { readonly kind: 'ok' | 'failed' | 'none' } | { readonly kind: 'paused'; readonly ms: number };

/** How long consecutive failures are remembered; a success clears them. */
const FAILURE_MEMORY_MS = 60_000;

/** The Redis side of flow control: two round trips per call (admit, settle), three when it queues for a lease. */
@Injectable()
export class BankSlots {
  private readonly acquireScript: RedisScript;
  private readonly leaseScript: RedisScript;
  private readonly settleScript: RedisScript;

  constructor(private readonly redis: RedisService) {
    this.acquireScript = defineScript(redis.client, 'kycFlowAcquire', 6, ACQUIRE);
    this.leaseScript = defineScript(redis.client, 'kycFlowLease', 1, LEASE);
    this.settleScript = defineScript(redis.client, 'kycFlowSettle', 6, SETTLE);
  }

  /** The circuit, and for a KYC call (`limits` given) a start time and possibly its lease. */
  async acquire(bankId: string, circuit: CircuitSettings, limits?: SlotLimits): Promise<Admission> {
    const lease = randomUUID();
    const args: (string | number)[] = [circuit.failureThreshold, circuit.probeTimeoutMs, limits === undefined ? 0 : 1];
    if (limits !== undefined) {
      args.push(limits.maxRps, limits.windowMs, Math.max(0, Math.floor(limits.budgetMs)));
      args.push(randomUUID(), limits.maxConcurrency, limits.leaseMs);
    }
    const [status, ms, probe, paused, leased] = (await this.acquireScript(keys(bankId), limits === undefined ? args : [...args, lease])) as number[];
    if (status === 0) return { status: 'circuit-open', retryAfterMs: ms ?? 1_000 };
    if (status === 2) return { status: 'busy', waitMs: ms ?? 0, paused: paused === 1 };
    return { status: 'admitted', waitMs: ms ?? 0, probe: probe === 1, lease: leased === 1 ? lease : undefined };
  }

  /** How long the bank's circuit stays open and its own 429 pause lasts (0 when not), in ms. */
  async state(bankId: string): Promise<{ circuitOpenMs: number; pausedMs: number }> {
    const [open, , , paused] = keys(bankId);
    const [circuitOpenMs, pausedMs] = await Promise.all([this.redis.client.pttl(open ?? ''), this.redis.client.pttl(paused ?? '')]);
    return { circuitOpenMs: Math.max(0, circuitOpenMs), pausedMs: Math.max(0, pausedMs) };
  }

  /** A concurrency lease, or how long until the earliest lease expires by itself. */
  async lease(bankId: string, maxConcurrency: number, leaseMs: number): Promise<Lease> {
    const id = randomUUID();
    const [ok, retryInMs] = (await this.leaseScript([keys(bankId)[5] ?? ''], [maxConcurrency, leaseMs, id])) as number[];
    return ok === 1 ? { lease: id } : { lease: undefined, retryInMs: retryInMs ?? 1 };
  }

  /** Hands back `lease` (if any) and records the call's outcome for the circuit or the pause. */
  async settle(bankId: string, lease: string | undefined, outcome: Outcome, circuit: CircuitSettings, maxConcurrency: number): Promise<void> {
    await this.settleScript(keys(bankId), [
      lease ?? '',
      maxConcurrency,
      outcome.kind,
      circuit.failureThreshold,
      circuit.cooldownMs,
      FAILURE_MEMORY_MS,
      outcome.kind === 'paused' ? Math.max(1, Math.round(outcome.ms)) : 0,
      SLOT_FREED_CHANNEL,
      bankId,
    ]);
  }
}
