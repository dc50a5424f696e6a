import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CONFIG, MetricsService, ProblemError, toProblem, type Bank, type BrokerConfig } from '@kyc/platform';
import { BankSlots } from './bank-slots.js';
import { CircuitBreaker, type CircuitSettings } from './circuit-breaker.js';

export interface CallOptions {
  /** `kyc`: the bank's KYC API, counted against its max_rps and max_concurrency; `oauth`: PAR and token calls. */
  readonly kind: 'kyc' | 'oauth';
  /** Safe to send again after a transport failure (reads). */
  readonly idempotent: boolean;
}

/**
 * Refused by the broker itself before anything reached the bank (closed, shed, circuit open): a
 * metric, never a ledger entry (SPEC §8).
 */
export class BankCallRefused extends ProblemError {}

const MAX_RETRIES = 2;
const LEASE_POLL_MS = 5;
const BACKOFF_MS = 50;

/**
 * Every KYC API call and every pushed authorization request passes here (SPEC §7); the token
 * exchange at the callback does not, as it finishes a consent the customer already gave. Closed
 * banks are refused; KYC calls wait for a
 * global slot (rate and concurrency, shared by all broker instances through Redis) within the wait
 * budget or are shed with BANK_BUSY; a bank's own 429 pauses it for everyone; transport failures of
 * idempotent calls are retried with jittered backoff inside the request's deadline; repeated
 * failures open the bank's circuit.
 */
@Injectable()
export class FlowControl {
  private readonly circuit: CircuitSettings;

  constructor(
    private readonly slots: BankSlots,
    private readonly breaker: CircuitBreaker,
    private readonly metrics: MetricsService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {
    this.circuit = {
      failureThreshold: config.flow.circuitFailureThreshold,
      cooldownMs: config.flow.circuitCooldownMs,
      probeTimeoutMs: config.bankTimeoutMs + 1_000,
    };
  }

  async run<T>(bank: Bank, call: () => Promise<T>, options: CallOptions): Promise<T> {
    const timer = this.metrics.bankCalls.startTimer({ bank: bank.id });
    try {
      const result = await this.attempt(bank, call, options);
      timer({ outcome: 'ok' });
      return result;
    } catch (err) {
      timer({ outcome: toProblem(err).code.toLowerCase() });
      throw err;
    }
  }

  private async attempt<T>(bank: Bank, call: () => Promise<T>, options: CallOptions): Promise<T> {
    if (bank.status !== 'open') throw new BankCallRefused('BANK_CLOSED', `${bank.name} is closed for maintenance.`);
    const deadline = Date.now() + this.config.flow.requestDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      const circuit = await this.breaker.check(bank.id, this.circuit);
      if (!circuit.allowed) {
        throw new BankCallRefused('BANK_UNAVAILABLE', `${bank.name} is failing; calls are paused.`, { retryAfterSeconds: seconds(circuit.retryAfterMs) });
      }
      const lease = options.kind === 'kyc' ? await this.waitForSlot(bank, deadline) : undefined;
      try {
        const result = await call();
        await bestEffort(this.breaker.succeeded(bank.id));
        return result;
      } catch (err) {
        const transport = isTransportFailure(err);
        const failure = transport
          ? new ProblemError('BANK_UNAVAILABLE', `${bank.name} did not answer in time.`, { retryAfterSeconds: 5, cause: err })
          : err;
        if (failure instanceof ProblemError) await bestEffort(this.learnFrom(bank, failure));
        const pauseMs = BACKOFF_MS * 2 ** attempt + Math.random() * BACKOFF_MS;
        const retry = transport && options.idempotent && attempt < MAX_RETRIES && Date.now() + pauseMs + this.config.bankTimeoutMs / 2 < deadline;
        if (!retry) throw failure;
        await sleep(pauseMs);
      } finally {
        // An unreleased lease expires by itself; the call's outcome matters more than the bookkeeping.
        if (lease !== undefined) await bestEffort(this.slots.release(bank.id, lease));
      }
    }
  }

  /**
   * A global slot for a KYC call: a reserved start time within the wait budget, then a concurrency
   * lease; BANK_BUSY as soon as the turn lies beyond the budget (or the deadline).
   */
  private async waitForSlot(bank: Bank, deadline: number): Promise<string> {
    const giveUpAt = Math.min(Date.now() + this.config.flow.waitBudgetMs, deadline);
    const windowMs = 1_000 + this.config.flow.rateWindowMarginMs;
    const busy = (waitMs: number): BankCallRefused =>
      new BankCallRefused('BANK_BUSY', `${bank.name} is at its limit; retry shortly.`, { retryAfterSeconds: seconds(waitMs) });
    for (;;) {
      const asked = Date.now();
      const turn = await this.slots.reserve(bank.id, bank.maxRps, windowMs, giveUpAt - asked);
      if (!turn.granted) {
        if (!turn.paused || asked + turn.waitMs > giveUpAt) throw busy(turn.waitMs);
        await sleep(turn.waitMs);
        continue;
      }
      if (turn.waitMs > 0) await sleep(turn.waitMs);
      // Woken later than the window's margin absorbs (a busy event loop): starting now could bunch
      // calls into one of the bank's seconds; take a fresh turn instead, while the budget lasts (a slow
      // Redis would otherwise spend reservation after reservation of the bank's rate).
      if (Date.now() - (asked + turn.waitMs) > this.config.flow.rateWindowMarginMs) {
        if (Date.now() >= giveUpAt) throw busy(0);
        continue;
      }
      const lease = await this.leaseWithin(bank, giveUpAt);
      if (lease === undefined) throw busy(0);
      return lease;
    }
  }

  private async leaseWithin(bank: Bank, giveUpAt: number): Promise<string | undefined> {
    for (;;) {
      const lease = await this.slots.lease(bank.id, bank.maxConcurrency, this.config.bankTimeoutMs + 1_000);
      if (lease !== undefined || Date.now() + LEASE_POLL_MS > giveUpAt) return lease;
      await sleep(LEASE_POLL_MS);
    }
  }

  /** The bank's 429 pauses it for every instance; faults count towards opening its circuit. */
  private async learnFrom(bank: Bank, failure: ProblemError): Promise<void> {
    if (failure.code === 'BANK_BUSY') {
      await this.slots.pause(bank.id, (failure.retryAfterSeconds ?? 1) * 1000);
    } else if (failure.code === 'BANK_UNAVAILABLE' || failure.code === 'BANK_ERROR') {
      await this.breaker.failed(bank.id, this.circuit);
    } else {
      // A business answer (not verified, consent expired, bad payload) means the bank is up.
      await this.breaker.succeeded(bank.id);
    }
  }
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** Bookkeeping after the bank answered must not turn that answer into a different failure. */
async function bestEffort(work: Promise<unknown>): Promise<void> {
  await work.catch(() => undefined);
}

export function isTransportFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  const cause = (err as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return err.message === 'fetch failed' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}
