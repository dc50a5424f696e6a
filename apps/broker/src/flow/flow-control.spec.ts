import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProblemError, type BrokerConfig, type MetricsService } from '@kyc/platform';
import { makeBank, makeBrokerConfig, problemOf } from '../../test/unit/factories.js';
import type { Admission, BankSlots, Lease } from './bank-slots.js';
import { BankCallRefused, FlowControl, isTransportFailure, type CallOptions } from './flow-control.js';
import type { SlotWakeups } from './slot-wakeups.js';

const KYC: CallOptions = { kind: 'kyc', idempotent: true };
const KYC_WRITE: CallOptions = { kind: 'kyc', idempotent: false };
const OAUTH: CallOptions = { kind: 'oauth', idempotent: false };

/** Admitted in `waitMs`; with the lease taken in the same step unless `lease` is null. */
const admitted = (waitMs = 0, lease: string | null = 'lease-1'): Admission => ({ status: 'admitted', waitMs, probe: false, lease: lease ?? undefined });

function newBankSlotsMock() {
  return {
    acquire: vi.fn<BankSlots['acquire']>(async (): Promise<Admission> => admitted()),
    lease: vi.fn<BankSlots['lease']>(async (): Promise<Lease> => ({ lease: 'lease-q' })),
    settle: vi.fn<BankSlots['settle']>(async () => undefined),
  };
}

function newWakeupsMock() {
  return { wait: vi.fn<SlotWakeups['wait']>(async (_bankId, ms) => void (await sleep(Math.min(ms, 5)))) };
}

function newMetricsMock() {
  const endTimer = vi.fn<(labels?: { outcome: string }) => number>(() => 0);
  return { endTimer, bankCalls: { startTimer: vi.fn<(labels: { bank: string }) => typeof endTimer>(() => endTimer) } };
}

const fetchFailed = (): TypeError => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

describe(FlowControl.name, () => {
  let sut: FlowControl;
  let slots: ReturnType<typeof newBankSlotsMock>;
  let wakeups: ReturnType<typeof newWakeupsMock>;
  let metrics: ReturnType<typeof newMetricsMock>;
  let config: BrokerConfig;
  const bank = makeBank({ id: 'bank-a', name: 'Kaede Bank', maxRps: 5, maxConcurrency: 2 });
  const circuit = { failureThreshold: 3, cooldownMs: 1_000, probeTimeoutMs: 1_100 };
  const outcomes = (): string[] => slots.settle.mock.calls.map((c) => c[2].kind);

  const build = (overrides: Parameters<typeof makeBrokerConfig>[0] = {}): FlowControl => {
    config = makeBrokerConfig(overrides);
    return new FlowControl(slots as unknown as BankSlots, wakeups as unknown as SlotWakeups, metrics as unknown as MetricsService, config);
  };

  beforeEach(() => {
    slots = newBankSlotsMock();
    wakeups = newWakeupsMock();
    metrics = newMetricsMock();
    // Backoff pauses of exactly 50 ms, then 100 ms.
    vi.spyOn(Math, 'random').mockReturnValue(0);
    // A wide margin, so a slow test machine never looks like a late wake-up (one test narrows it).
    sut = build({ flow: { rateWindowMarginMs: 200 } });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('refusals before the bank', () => {
    it('refuses a closed bank with BANK_CLOSED (a BankCallRefused) without calling it', async () => {
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(makeBank({ status: 'closed', name: 'Kaede Bank' }), call, KYC));

      expect(problem).toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_CLOSED');
      expect(problem.detail).toContain('Kaede Bank');
      expect(call).not.toHaveBeenCalled();
      expect(slots.acquire).not.toHaveBeenCalled();
    });

    it('refuses while the circuit is open with BANK_UNAVAILABLE and its Retry-After, without a lease or a call', async () => {
      slots.acquire.mockResolvedValue({ status: 'circuit-open', retryAfterMs: 2_100 });
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem).toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_UNAVAILABLE');
      expect(problem.retryAfterSeconds).toBe(3);
      expect(call).not.toHaveBeenCalled();
      expect(slots.lease).not.toHaveBeenCalled();
      expect(slots.settle).not.toHaveBeenCalled();
    });

    it('checks the circuit with the configured settings', async () => {
      sut = build({ bankTimeoutMs: 250, flow: { circuitFailureThreshold: 4, circuitCooldownMs: 7_000 } });

      await sut.run(bank, async () => 'ok', KYC);

      expect(slots.acquire.mock.calls[0]?.[1]).toEqual({ failureThreshold: 4, cooldownMs: 7_000, probeTimeoutMs: 1_250 });
    });
  });

  describe('slots for KYC calls', () => {
    it('admits with the bank’s limits in one step (turn and lease), calls, then settles the lease as ok', async () => {
      const call = vi.fn(async () => 'identity');

      await expect(sut.run(bank, call, KYC)).resolves.toBe('identity');

      expect(slots.acquire).toHaveBeenCalledOnce();
      const [bankId, , limits] = slots.acquire.mock.calls[0] ?? [];
      expect(bankId).toBe('bank-a');
      expect(limits).toMatchObject({ maxRps: 5, windowMs: 1_000 + config.flow.rateWindowMarginMs, maxConcurrency: 2, leaseMs: config.bankTimeoutMs + 1_000 });
      expect(limits?.budgetMs).toBeGreaterThan(0);
      expect(limits?.budgetMs).toBeLessThanOrEqual(config.flow.waitBudgetMs);
      expect(slots.lease).not.toHaveBeenCalled();
      expect(slots.settle).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1', { kind: 'ok' }, circuit, 2);
      const order = [slots.acquire, call, slots.settle].map((fn) => fn.mock.invocationCallOrder[0] ?? -1);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it('settles the lease when the call fails too', async () => {
      await problemOf(sut.run(bank, () => Promise.reject(new ProblemError('IDENTITY_NOT_VERIFIED', 'no')), KYC));

      expect(slots.settle).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1', { kind: 'ok' }, circuit, 2);
    });

    it('sheds with BANK_BUSY and Retry-After when the next start lies beyond the budget', async () => {
      slots.acquire.mockResolvedValue({ status: 'busy', waitMs: 2_300, paused: false });
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem).toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_BUSY');
      expect(problem.retryAfterSeconds).toBe(3);
      expect(call).not.toHaveBeenCalled();
      expect(slots.lease).not.toHaveBeenCalled();
    });

    it('sheds with BANK_BUSY when the bank is paused for longer than the budget', async () => {
      slots.acquire.mockResolvedValue({ status: 'busy', waitMs: 5_000, paused: true });

      const problem = await problemOf(sut.run(bank, async () => 'never', KYC));

      expect(problem.code).toBe('BANK_BUSY');
      expect(problem.retryAfterSeconds).toBe(5);
      expect(slots.acquire).toHaveBeenCalledOnce();
    });

    it('waits out a short pause and asks again', async () => {
      slots.acquire.mockResolvedValueOnce({ status: 'busy', waitMs: 10, paused: true });

      await expect(sut.run(bank, async () => 'ok', KYC)).resolves.toBe('ok');

      expect(slots.acquire).toHaveBeenCalledTimes(2);
    });

    it('waits for a granted start that lies ahead, then takes its lease and calls', async () => {
      slots.acquire.mockResolvedValue(admitted(25, null));
      const started = Date.now();
      let calledAt = 0;

      await sut.run(bank, async () => (calledAt = Date.now()), KYC);

      expect(calledAt - started).toBeGreaterThanOrEqual(20);
      expect(slots.acquire).toHaveBeenCalledOnce();
      expect(slots.lease).toHaveBeenCalledExactlyOnceWith('bank-a', 2, config.bankTimeoutMs + 1_000);
      expect(slots.settle).toHaveBeenCalledWith('bank-a', 'lease-q', { kind: 'ok' }, circuit, 2);
    });

    it('takes a fresh turn when it woke later than the window margin allows', async () => {
      sut = build({ flow: { rateWindowMarginMs: 100, waitBudgetMs: 1_000 } });
      slots.acquire.mockImplementationOnce(async () => {
        await sleep(150);
        return admitted(0, null);
      });

      await expect(sut.run(bank, async () => 'ok', KYC)).resolves.toBe('ok');

      expect(slots.acquire).toHaveBeenCalledTimes(2);
      expect(slots.lease).not.toHaveBeenCalled();
    });

    it('stops taking fresh turns once the budget is spent, shedding with BANK_BUSY', async () => {
      sut = build({ flow: { rateWindowMarginMs: 30, waitBudgetMs: 100 } });
      slots.acquire.mockImplementation(async () => {
        await sleep(60);
        return admitted(0, null);
      });
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem.code).toBe('BANK_BUSY');
      expect(slots.acquire.mock.calls.length).toBeLessThanOrEqual(3);
      expect(call).not.toHaveBeenCalled();
    });

    it('sleeps until a lease may have freed (no polling) and sheds with BANK_BUSY when none does within the budget', async () => {
      slots.acquire.mockResolvedValue(admitted(0, null));
      slots.lease.mockResolvedValue({ lease: undefined, retryInMs: 10_000 });
      wakeups.wait.mockImplementation(async (_bankId, ms) => void (await sleep(ms)));
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem.code).toBe('BANK_BUSY');
      expect(problem.retryAfterSeconds).toBe(1);
      // A sleep to the end of the 50 ms budget (not to the lease's far expiry), then one last look;
      // a timer that fires a millisecond early may cost one more short sleep, never a polling loop.
      const waits = wakeups.wait.mock.calls.length;
      expect(waits).toBeGreaterThanOrEqual(1);
      expect(waits).toBeLessThanOrEqual(2);
      for (const [, ms] of wakeups.wait.mock.calls) expect(ms).toBeLessThanOrEqual(config.flow.waitBudgetMs);
      expect(slots.lease).toHaveBeenCalledTimes(waits + 1);
      expect(call).not.toHaveBeenCalled();
      expect(slots.settle).not.toHaveBeenCalled();
    });

    it('gets a lease once it is woken', async () => {
      slots.acquire.mockResolvedValue(admitted(0, null));
      slots.lease.mockResolvedValueOnce({ lease: undefined, retryInMs: 3 }).mockResolvedValueOnce({ lease: 'lease-2' });

      await expect(sut.run(bank, async () => 'ok', KYC)).resolves.toBe('ok');

      expect(wakeups.wait).toHaveBeenCalledExactlyOnceWith('bank-a', 3);
      expect(slots.settle).toHaveBeenCalledWith('bank-a', 'lease-2', { kind: 'ok' }, circuit, 2);
    });

    it('checks only the circuit for an oauth call', async () => {
      const call = vi.fn(async () => new URL('https://bank-a.example/authorize'));

      await sut.run(bank, call, OAUTH);

      expect(call).toHaveBeenCalledOnce();
      expect(slots.acquire).toHaveBeenCalledExactlyOnceWith('bank-a', circuit, undefined);
      expect(slots.lease).not.toHaveBeenCalled();
      expect(slots.settle).toHaveBeenCalledExactlyOnceWith('bank-a', undefined, { kind: 'ok' }, circuit, 2);
    });
  });

  describe('learning from the answer', () => {
    it('counts a successful call as a circuit success', async () => {
      await sut.run(bank, async () => 'ok', KYC);

      expect(outcomes()).toEqual(['ok']);
    });

    it.each([
      ['with Retry-After', 4, 4_000],
      ['without Retry-After', undefined, 1_000],
    ])('pauses the bank for everyone when it answers BANK_BUSY (%s)', async (_label, retryAfterSeconds, pauseMs) => {
      const busy = new ProblemError('BANK_BUSY', 'HTTP 429', retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
      const call = vi.fn(() => Promise.reject(busy));

      await expect(sut.run(bank, call, KYC)).rejects.toBe(busy);

      expect(slots.settle).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1', { kind: 'paused', ms: pauseMs }, circuit, 2);
      expect(call).toHaveBeenCalledOnce();
    });

    it.each(['BANK_ERROR', 'BANK_UNAVAILABLE'] as const)('counts %s as a circuit failure, without retrying', async (code) => {
      const failure = new ProblemError(code, 'the bank is failing');
      const call = vi.fn(() => Promise.reject(failure));

      await expect(sut.run(bank, call, KYC)).rejects.toBe(failure);

      expect(slots.settle).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1', { kind: 'failed' }, circuit, 2);
      expect(call).toHaveBeenCalledOnce();
    });

    it.each(['IDENTITY_NOT_VERIFIED', 'CONSENT_EXPIRED', 'BANK_PAYLOAD_INVALID'] as const)(
      'counts a business answer (%s) as a circuit success',
      async (code) => {
        const answer = new ProblemError(code, 'the bank is up');

        await expect(sut.run(bank, () => Promise.reject(answer), KYC)).rejects.toBe(answer);

        expect(outcomes()).toEqual(['ok']);
      },
    );

    it('does not let failed bookkeeping change the bank’s answer', async () => {
      slots.settle.mockRejectedValue(new Error('redis down'));

      await expect(sut.run(bank, async () => 'identity', KYC)).resolves.toBe('identity');
    });

    it('passes a non-problem error on as it is, handing back the lease without circuit bookkeeping', async () => {
      const bug = new RangeError('adapter bug');

      await expect(sut.run(bank, () => Promise.reject(bug), KYC)).rejects.toBe(bug);

      expect(slots.settle).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1', { kind: 'none' }, circuit, 2);
    });

    it('records nothing for a non-problem error of an oauth call (no lease to hand back)', async () => {
      await expect(sut.run(bank, () => Promise.reject(new RangeError('bug')), OAUTH)).rejects.toThrow('bug');

      expect(slots.settle).not.toHaveBeenCalled();
    });
  });

  describe('transport failures', () => {
    it('retries an idempotent call at most twice, then answers BANK_UNAVAILABLE', async () => {
      const cause = fetchFailed();
      const call = vi.fn(() => Promise.reject(cause));

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(call).toHaveBeenCalledTimes(3);
      expect(problem).not.toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_UNAVAILABLE');
      expect(problem.retryAfterSeconds).toBe(5);
      expect(problem.cause).toBe(cause);
      // Each attempt takes (and gives back) its own slot, and counts one failure.
      expect(slots.acquire).toHaveBeenCalledTimes(3);
      expect(outcomes()).toEqual(['failed', 'failed', 'failed']);
    });

    it('answers the retried call’s result when a retry gets through', async () => {
      const call = vi.fn<() => Promise<string>>().mockRejectedValueOnce(fetchFailed()).mockResolvedValueOnce('identity');

      await expect(sut.run(bank, call, KYC)).resolves.toBe('identity');

      expect(call).toHaveBeenCalledTimes(2);
      expect(outcomes()).toEqual(['failed', 'ok']);
    });

    it('re-checks the circuit before a retry', async () => {
      slots.acquire.mockResolvedValueOnce(admitted()).mockResolvedValueOnce({ status: 'circuit-open', retryAfterMs: 900 });
      const call = vi.fn(() => Promise.reject(fetchFailed()));

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(call).toHaveBeenCalledOnce();
      expect(problem).toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_UNAVAILABLE');
      expect(problem.retryAfterSeconds).toBe(1);
    });

    it.each([
      ['a non-idempotent KYC call', KYC_WRITE],
      ['an oauth call', OAUTH],
    ])('does not retry %s', async (_label, options) => {
      const call = vi.fn(() => Promise.reject(fetchFailed()));

      const problem = await problemOf(sut.run(bank, call, options));

      expect(call).toHaveBeenCalledOnce();
      expect(problem.code).toBe('BANK_UNAVAILABLE');
      expect(outcomes()).toEqual(['failed']);
    });

    it('does not retry past the request deadline', async () => {
      // 50 ms backoff + half the 100 ms bank timeout does not fit in a 100 ms deadline.
      sut = build({ bankTimeoutMs: 100, flow: { requestDeadlineMs: 100 } });
      const call = vi.fn(() => Promise.reject(fetchFailed()));

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(call).toHaveBeenCalledOnce();
      expect(problem.code).toBe('BANK_UNAVAILABLE');
    });
  });

  describe('metrics', () => {
    it('times every call per bank, labelled ok on success', async () => {
      await sut.run(bank, async () => 'ok', KYC);

      expect(metrics.bankCalls.startTimer).toHaveBeenCalledExactlyOnceWith({ bank: 'bank-a' });
      expect(metrics.endTimer).toHaveBeenCalledExactlyOnceWith({ outcome: 'ok' });
    });

    it.each([
      ['a refusal', () => makeBank({ status: 'closed' }), 'bank_closed'],
      ['a shed call', () => (slots.acquire.mockResolvedValue({ status: 'busy', waitMs: 9_000, paused: false }), bank), 'bank_busy'],
    ])('labels %s with its problem code', async (_label, arrange, outcome) => {
      await problemOf(sut.run(arrange(), async () => 'never', KYC));

      expect(metrics.endTimer).toHaveBeenCalledExactlyOnceWith({ outcome });
    });

    it('labels an unexpected error internal', async () => {
      await expect(sut.run(bank, () => Promise.reject(new RangeError('bug')), KYC)).rejects.toThrow('bug');

      expect(metrics.endTimer).toHaveBeenCalledExactlyOnceWith({ outcome: 'internal' });
    });
  });
});

describe(isTransportFailure.name, () => {
  const withCode = (code: string): Error => new Error('request failed', { cause: Object.assign(new Error(code), { code }) });

  it.each([
    ['undici’s `fetch failed`', new TypeError('fetch failed')],
    ['a timeout (AbortSignal.timeout)', new DOMException('The operation timed out.', 'TimeoutError')],
    ['an abort', new DOMException('This operation was aborted', 'AbortError')],
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a broken socket', withCode('UND_ERR_SOCKET')],
  ])('is true for %s', (_label, err) => {
    expect(isTransportFailure(err)).toBe(true);
  });

  it.each([
    ['a problem from the bank', new ProblemError('BANK_UNAVAILABLE', 'HTTP 503')],
    ['any other error', new Error('boom')],
    ['another cause code', withCode('ENOTFOUND')],
    ['a cause that is not an object', new Error('request failed', { cause: 'ECONNREFUSED' })],
    ['a string', 'fetch failed'],
    ['an error-like object that is not an Error', { name: 'TimeoutError', message: 'fetch failed' }],
    ['undefined', undefined],
  ])('is false for %s', (_label, err) => {
    expect(isTransportFailure(err)).toBe(false);
  });
});
