import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProblemError, type BrokerConfig, type MetricsService } from '@kyc/platform';
import { makeBank, makeBrokerConfig, problemOf } from '../../test/unit/factories.js';
import type { BankSlots, Reservation } from './bank-slots.js';
import type { CircuitBreaker, CircuitState } from './circuit-breaker.js';
import { BankCallRefused, FlowControl, isTransportFailure, type CallOptions } from './flow-control.js';

const KYC: CallOptions = { kind: 'kyc', idempotent: true };
const KYC_WRITE: CallOptions = { kind: 'kyc', idempotent: false };
const OAUTH: CallOptions = { kind: 'oauth', idempotent: false };

function newBankSlotsMock() {
  return {
    reserve: vi.fn<BankSlots['reserve']>(async (): Promise<Reservation> => ({ granted: true, waitMs: 0 })),
    lease: vi.fn<BankSlots['lease']>(async () => 'lease-1'),
    release: vi.fn<BankSlots['release']>(async () => undefined),
    pause: vi.fn<BankSlots['pause']>(async () => undefined),
  };
}

function newCircuitBreakerMock() {
  return {
    check: vi.fn<CircuitBreaker['check']>(async (): Promise<CircuitState> => ({ allowed: true, probe: false })),
    succeeded: vi.fn<CircuitBreaker['succeeded']>(async () => undefined),
    failed: vi.fn<CircuitBreaker['failed']>(async () => undefined),
  };
}

function newMetricsMock() {
  const endTimer = vi.fn<(labels?: { outcome: string }) => number>(() => 0);
  return { endTimer, bankCalls: { startTimer: vi.fn<(labels: { bank: string }) => typeof endTimer>(() => endTimer) } };
}

const fetchFailed = (): TypeError => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

describe(FlowControl.name, () => {
  let sut: FlowControl;
  let slots: ReturnType<typeof newBankSlotsMock>;
  let breaker: ReturnType<typeof newCircuitBreakerMock>;
  let metrics: ReturnType<typeof newMetricsMock>;
  let config: BrokerConfig;
  const bank = makeBank({ id: 'bank-a', name: 'Kaede Bank', maxRps: 5, maxConcurrency: 2 });

  const build = (overrides: Parameters<typeof makeBrokerConfig>[0] = {}): FlowControl => {
    config = makeBrokerConfig(overrides);
    return new FlowControl(slots as unknown as BankSlots, breaker as unknown as CircuitBreaker, metrics as unknown as MetricsService, config);
  };

  beforeEach(() => {
    slots = newBankSlotsMock();
    breaker = newCircuitBreakerMock();
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
      expect(breaker.check).not.toHaveBeenCalled();
      expect(slots.reserve).not.toHaveBeenCalled();
    });

    it('refuses while the circuit is open with BANK_UNAVAILABLE and its Retry-After, without a slot or a call', async () => {
      breaker.check.mockResolvedValue({ allowed: false, retryAfterMs: 2_100 });
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem).toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_UNAVAILABLE');
      expect(problem.retryAfterSeconds).toBe(3);
      expect(call).not.toHaveBeenCalled();
      expect(slots.reserve).not.toHaveBeenCalled();
    });

    it('checks the circuit with the configured settings', async () => {
      sut = build({ bankTimeoutMs: 250, flow: { circuitFailureThreshold: 4, circuitCooldownMs: 7_000 } });

      await sut.run(bank, async () => 'ok', KYC);

      expect(breaker.check).toHaveBeenCalledWith('bank-a', { failureThreshold: 4, cooldownMs: 7_000, probeTimeoutMs: 1_250 });
    });
  });

  describe('slots for KYC calls', () => {
    it('reserves a start within the wait budget, takes a lease, calls, then releases the lease', async () => {
      const call = vi.fn(async () => 'identity');

      await expect(sut.run(bank, call, KYC)).resolves.toBe('identity');

      expect(slots.reserve).toHaveBeenCalledOnce();
      const [bankId, maxRps, windowMs, budgetMs] = slots.reserve.mock.calls[0] ?? [];
      expect([bankId, maxRps, windowMs]).toEqual(['bank-a', 5, 1_000 + config.flow.rateWindowMarginMs]);
      expect(budgetMs).toBeGreaterThan(0);
      expect(budgetMs).toBeLessThanOrEqual(config.flow.waitBudgetMs);
      expect(slots.lease).toHaveBeenCalledExactlyOnceWith('bank-a', 2, config.bankTimeoutMs + 1_000);
      expect(slots.release).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1');
      const order = [slots.reserve, slots.lease, call, slots.release].map((fn) => fn.mock.invocationCallOrder[0] ?? -1);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it('releases the lease when the call fails too', async () => {
      await problemOf(sut.run(bank, () => Promise.reject(new ProblemError('IDENTITY_NOT_VERIFIED', 'no')), KYC));

      expect(slots.release).toHaveBeenCalledExactlyOnceWith('bank-a', 'lease-1');
    });

    it('sheds with BANK_BUSY and Retry-After when the next start lies beyond the budget', async () => {
      slots.reserve.mockResolvedValue({ granted: false, waitMs: 2_300, paused: false });
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem).toBeInstanceOf(BankCallRefused);
      expect(problem.code).toBe('BANK_BUSY');
      expect(problem.retryAfterSeconds).toBe(3);
      expect(call).not.toHaveBeenCalled();
      expect(slots.lease).not.toHaveBeenCalled();
    });

    it('sheds with BANK_BUSY when the bank is paused for longer than the budget', async () => {
      slots.reserve.mockResolvedValue({ granted: false, waitMs: 5_000, paused: true });

      const problem = await problemOf(sut.run(bank, async () => 'never', KYC));

      expect(problem.code).toBe('BANK_BUSY');
      expect(problem.retryAfterSeconds).toBe(5);
      expect(slots.reserve).toHaveBeenCalledOnce();
    });

    it('waits out a short pause and asks again', async () => {
      slots.reserve.mockResolvedValueOnce({ granted: false, waitMs: 10, paused: true });

      await expect(sut.run(bank, async () => 'ok', KYC)).resolves.toBe('ok');

      expect(slots.reserve).toHaveBeenCalledTimes(2);
    });

    it('waits for a granted start that lies ahead before calling', async () => {
      slots.reserve.mockResolvedValue({ granted: true, waitMs: 25 });
      const started = Date.now();
      let calledAt = 0;

      await sut.run(bank, async () => (calledAt = Date.now()), KYC);

      expect(calledAt - started).toBeGreaterThanOrEqual(20);
      expect(slots.reserve).toHaveBeenCalledOnce();
    });

    it('takes a fresh turn when it woke later than the window margin allows', async () => {
      sut = build({ flow: { rateWindowMarginMs: 100, waitBudgetMs: 1_000 } });
      slots.reserve.mockImplementationOnce(async () => {
        await sleep(150);
        return { granted: true, waitMs: 0 };
      });

      await expect(sut.run(bank, async () => 'ok', KYC)).resolves.toBe('ok');

      expect(slots.reserve).toHaveBeenCalledTimes(2);
      expect(slots.lease).toHaveBeenCalledOnce();
    });

    it('stops taking fresh turns once the budget is spent, shedding with BANK_BUSY', async () => {
      sut = build({ flow: { rateWindowMarginMs: 30, waitBudgetMs: 100 } });
      slots.reserve.mockImplementation(async () => {
        await sleep(60);
        return { granted: true, waitMs: 0 };
      });
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem.code).toBe('BANK_BUSY');
      expect(slots.reserve.mock.calls.length).toBeLessThanOrEqual(3);
      expect(call).not.toHaveBeenCalled();
    });

    it('polls for a lease and sheds with BANK_BUSY when none frees up within the budget', async () => {
      slots.lease.mockResolvedValue(undefined);
      const call = vi.fn(async () => 'never');

      const problem = await problemOf(sut.run(bank, call, KYC));

      expect(problem.code).toBe('BANK_BUSY');
      expect(problem.retryAfterSeconds).toBe(1);
      expect(slots.lease.mock.calls.length).toBeGreaterThan(1);
      expect(call).not.toHaveBeenCalled();
      expect(slots.release).not.toHaveBeenCalled();
    });

    it('gets a lease once one frees up', async () => {
      slots.lease.mockResolvedValueOnce(undefined).mockResolvedValueOnce('lease-2');

      await expect(sut.run(bank, async () => 'ok', KYC)).resolves.toBe('ok');

      expect(slots.release).toHaveBeenCalledWith('bank-a', 'lease-2');
    });

    it('takes no slot for an oauth call', async () => {
      const call = vi.fn(async () => new URL('https://bank-a.example/authorize'));

      await sut.run(bank, call, OAUTH);

      expect(call).toHaveBeenCalledOnce();
      expect(slots.reserve).not.toHaveBeenCalled();
      expect(slots.lease).not.toHaveBeenCalled();
      expect(slots.release).not.toHaveBeenCalled();
    });
  });

  describe('learning from the answer', () => {
    it('counts a successful call as a circuit success', async () => {
      await sut.run(bank, async () => 'ok', KYC);

      expect(breaker.succeeded).toHaveBeenCalledExactlyOnceWith('bank-a');
      expect(breaker.failed).not.toHaveBeenCalled();
    });

    it.each([
      ['with Retry-After', 4, 4_000],
      ['without Retry-After', undefined, 1_000],
    ])('pauses the bank for everyone when it answers BANK_BUSY (%s)', async (_label, retryAfterSeconds, pauseMs) => {
      const busy = new ProblemError('BANK_BUSY', 'HTTP 429', retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
      const call = vi.fn(() => Promise.reject(busy));

      await expect(sut.run(bank, call, KYC)).rejects.toBe(busy);

      expect(slots.pause).toHaveBeenCalledExactlyOnceWith('bank-a', pauseMs);
      expect(call).toHaveBeenCalledOnce();
      expect(breaker.failed).not.toHaveBeenCalled();
      expect(breaker.succeeded).not.toHaveBeenCalled();
    });

    it.each(['BANK_ERROR', 'BANK_UNAVAILABLE'] as const)('counts %s as a circuit failure, without retrying', async (code) => {
      const failure = new ProblemError(code, 'the bank is failing');
      const call = vi.fn(() => Promise.reject(failure));

      await expect(sut.run(bank, call, KYC)).rejects.toBe(failure);

      expect(breaker.failed).toHaveBeenCalledExactlyOnceWith('bank-a', { failureThreshold: 3, cooldownMs: 1_000, probeTimeoutMs: 1_100 });
      expect(breaker.succeeded).not.toHaveBeenCalled();
      expect(slots.pause).not.toHaveBeenCalled();
      expect(call).toHaveBeenCalledOnce();
    });

    it.each(['IDENTITY_NOT_VERIFIED', 'CONSENT_EXPIRED', 'BANK_PAYLOAD_INVALID'] as const)(
      'counts a business answer (%s) as a circuit success',
      async (code) => {
        const answer = new ProblemError(code, 'the bank is up');

        await expect(sut.run(bank, () => Promise.reject(answer), KYC)).rejects.toBe(answer);

        expect(breaker.succeeded).toHaveBeenCalledExactlyOnceWith('bank-a');
        expect(breaker.failed).not.toHaveBeenCalled();
      },
    );

    it('does not let failed bookkeeping change the bank’s answer', async () => {
      breaker.succeeded.mockRejectedValue(new Error('redis down'));
      slots.release.mockRejectedValue(new Error('redis down'));

      await expect(sut.run(bank, async () => 'identity', KYC)).resolves.toBe('identity');
    });

    it('passes a non-problem error on as it is, without circuit bookkeeping', async () => {
      const bug = new RangeError('adapter bug');

      await expect(sut.run(bank, () => Promise.reject(bug), KYC)).rejects.toBe(bug);

      expect(breaker.failed).not.toHaveBeenCalled();
      expect(breaker.succeeded).not.toHaveBeenCalled();
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
      expect(breaker.failed).toHaveBeenCalledTimes(3);
      // Each attempt takes (and gives back) its own slot.
      expect(slots.reserve).toHaveBeenCalledTimes(3);
      expect(slots.release).toHaveBeenCalledTimes(3);
    });

    it('answers the retried call’s result when a retry gets through', async () => {
      const call = vi.fn<() => Promise<string>>().mockRejectedValueOnce(fetchFailed()).mockResolvedValueOnce('identity');

      await expect(sut.run(bank, call, KYC)).resolves.toBe('identity');

      expect(call).toHaveBeenCalledTimes(2);
      expect(breaker.failed).toHaveBeenCalledOnce();
      expect(breaker.succeeded).toHaveBeenCalledOnce();
    });

    it('re-checks the circuit before a retry', async () => {
      breaker.check.mockResolvedValueOnce({ allowed: true, probe: false }).mockResolvedValueOnce({ allowed: false, retryAfterMs: 900 });
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
      expect(breaker.failed).toHaveBeenCalledOnce();
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
      ['a shed call', () => (slots.reserve.mockResolvedValue({ granted: false, waitMs: 9_000, paused: false }), bank), 'bank_busy'],
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
