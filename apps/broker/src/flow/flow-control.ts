import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CONFIG, MetricsService, ProblemError, toProblem, type Bank, type BrokerConfig } from '@kyc/platform';
import { BankSlots, type CircuitSettings, type Outcome, type SlotLimits } from './bank-slots.js';
import { SlotWakeups } from './slot-wakeups.js';

export interface CallOptions {
  /**
   * `kyc`: the bank's KYC API, and `par`: pushed authorization requests, both counted against the
   * bank's max_rps and max_concurrency; `oauth`: other OAuth calls (circuit only).
   */
  readonly kind: 'kyc' | 'par' | 'oauth';
  /** Safe to send again after a transport failure (reads). */
  readonly idempotent: boolean;
}

/**
 * Refused by the broker itself before anything reached the bank (closed, shed, circuit open): a
 * metric, never a ledger entry (SPEC §8).
 */
export class BankCallRefused extends ProblemError {}

const MAX_RETRIES = 2;
const BACKOFF_MS = 50;

/**
 * What an enterprise is told of a bank right now: `closed` by the operator, `unavailable` while its
 * circuit is open (it failed repeatedly), `paused` while its own 429 holds every instance back,
 * `unknown` when the shared state cannot be read (Redis away).
 */
export type BankAvailability = 'available' | 'closed' | 'unavailable' | 'paused' | 'unknown';

/**
 * Every KYC API call and every pushed authorization request passes here (SPEC §7); the token
 * exchange at the callback does not, as it finishes a consent the customer already gave. Closed
 * banks are refused; KYC calls wait for a global slot (rate and concurrency, shared by all broker
 * instances through Redis) within the wait budget or are shed with BANK_BUSY; a bank's own 429
 * pauses it for everyone; transport failures of idempotent calls are retried with jittered backoff
 * inside the request's deadline; repeated failures open the bank's circuit. A call with a free slot
 * costs two Redis round trips: one script admits it (circuit, pause, turn and lease), one settles it
 * (lease back, outcome recorded); a caller queued for a lease sleeps until one is handed back.
 */
@Injectable()
export class FlowControl {
  private readonly circuit: CircuitSettings;

  constructor(
    private readonly slots: BankSlots,
    private readonly wakeups: SlotWakeups,
    private readonly metrics: MetricsService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {
    this.circuit = {
      failureThreshold: config.flow.circuitFailureThreshold,
      cooldownMs: config.flow.circuitCooldownMs,
      probeTimeoutMs: config.bankTimeoutMs + 1_000,
    };
  }

  /** The bank's availability from the shared flow-control state (no call to the bank). */
  async availability(bank: Pick<Bank, 'id' | 'status'>): Promise<BankAvailability> {
    if (bank.status !== 'open') return 'closed';
    const state = await this.slots.state(bank.id).catch(() => undefined);
    if (state === undefined) return 'unknown';
    if (state.circuitOpenMs > 0) return 'unavailable';
    return state.pausedMs > 0 ? 'paused' : 'available';
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
      const lease = await this.admit(bank, options, deadline);
      let answer: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: unknown; readonly transport: boolean };
      try {
        answer = { ok: true, value: await call() };
      } catch (err) {
        const transport = isTransportFailure(err);
        const failure = transport
          ? new ProblemError('BANK_UNAVAILABLE', `${bank.name} did not answer in time.`, { retryAfterSeconds: 5, cause: err })
          : err;
        answer = { ok: false, failure, transport };
      }
      const outcome: Outcome = answer.ok ? { kind: 'ok' } : outcomeOf(answer.failure);
      // An unreleased lease expires by itself; the call's outcome matters more than the bookkeeping.
      if (lease !== undefined || outcome.kind !== 'none') {
        await bestEffort(this.slots.settle(bank.id, lease, outcome, this.circuit, bank.maxConcurrency));
      }
      if (answer.ok) return answer.value;
      const pauseMs = BACKOFF_MS * 2 ** attempt + Math.random() * BACKOFF_MS;
      const retry = answer.transport && options.idempotent && attempt < MAX_RETRIES && Date.now() + pauseMs + this.config.bankTimeoutMs / 2 < deadline;
      if (!retry) throw answer.failure;
      await sleep(pauseMs);
    }
  }

  /**
   * The circuit, then for a KYC call a global slot: a reserved start time within the wait budget and
   * a concurrency lease (the lease id, answered); BANK_BUSY as soon as the turn lies beyond the budget
   * (or the deadline), BANK_UNAVAILABLE while the circuit is open.
   */
  private async admit(bank: Bank, options: CallOptions, deadline: number): Promise<string | undefined> {
    const giveUpAt = Math.min(Date.now() + this.config.flow.waitBudgetMs, deadline);
    const busy = (waitMs: number): BankCallRefused =>
      new BankCallRefused('BANK_BUSY', `${bank.name} is at its limit; retry shortly.`, { retryAfterSeconds: seconds(waitMs) });
    for (;;) {
      const asked = Date.now();
      const limits: SlotLimits | undefined =
        options.kind !== 'oauth'
          ? {
              maxRps: bank.maxRps,
              windowMs: 1_000 + this.config.flow.rateWindowMarginMs,
              budgetMs: giveUpAt - asked,
              maxConcurrency: bank.maxConcurrency,
              leaseMs: this.config.bankTimeoutMs + 1_000,
            }
          : undefined;
      const admission = await this.slots.acquire(bank.id, this.circuit, limits);
      if (admission.status === 'circuit-open') {
        throw new BankCallRefused('BANK_UNAVAILABLE', `${bank.name} is failing; calls are paused.`, {
          retryAfterSeconds: seconds(admission.retryAfterMs),
        });
      }
      if (admission.status === 'busy') {
        if (!admission.paused || asked + admission.waitMs > giveUpAt) throw busy(admission.waitMs);
        await sleep(admission.waitMs);
        continue;
      }
      if (limits === undefined) return undefined;
      if (admission.lease !== undefined) return admission.lease;
      if (admission.waitMs > 0) await sleep(admission.waitMs);
      // Woken later than the window's margin absorbs (a busy event loop): starting now could bunch
      // calls into one of the bank's seconds; take a fresh turn instead, while the budget lasts (a slow
      // Redis would otherwise spend reservation after reservation of the bank's rate).
      if (Date.now() - (asked + admission.waitMs) > this.config.flow.rateWindowMarginMs) {
        if (Date.now() >= giveUpAt) throw busy(0);
        continue;
      }
      const lease = await this.leaseWithin(bank, limits, giveUpAt);
      if (lease === undefined) throw busy(0);
      return lease;
    }
  }

  /** Queues for a lease until one is handed back (woken, not polling) or the budget runs out. */
  private async leaseWithin(bank: Bank, limits: SlotLimits, giveUpAt: number): Promise<string | undefined> {
    for (;;) {
      const answer = await this.slots.lease(bank.id, limits.maxConcurrency, limits.leaseMs);
      if (answer.lease !== undefined) return answer.lease;
      const left = giveUpAt - Date.now();
      if (left <= 0) return undefined;
      await this.wakeups.wait(bank.id, Math.min(left, answer.retryInMs));
    }
  }
}

/**
 * What an answer says about the bank: its 429 pauses it for every instance; faults count towards
 * opening its circuit; a business answer (not verified, consent expired, bad payload) means it is up.
 */
function outcomeOf(failure: unknown): Outcome {
  if (!(failure instanceof ProblemError)) return { kind: 'none' };
  if (failure.code === 'BANK_BUSY') return { kind: 'paused', ms: (failure.retryAfterSeconds ?? 1) * 1000 };
  if (failure.code === 'BANK_UNAVAILABLE' || failure.code === 'BANK_ERROR') return { kind: 'failed' };
  return { kind: 'ok' };
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
