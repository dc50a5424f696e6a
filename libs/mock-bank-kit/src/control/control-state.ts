import { z } from 'zod';

export const controlUpdateSchema = z.strictObject({
  latency_ms: z.number().int().min(0).max(60_000).optional(),
  jitter_ms: z.number().int().min(0).max(60_000).optional(),
  error_rate: z.number().min(0).max(1).optional(),
  /** 0 or null removes the limit. */
  rate_limit_rps: z.number().int().min(0).max(1_000_000).nullable().optional(),
  malformed_rate: z.number().min(0).max(1).optional(),
  maintenance: z.boolean().optional(),
  reset: z.boolean().optional(),
});
export type ControlUpdate = z.infer<typeof controlUpdateSchema>;

export interface FaultSettings {
  readonly latency_ms: number;
  readonly jitter_ms: number;
  readonly error_rate: number;
  readonly rate_limit_rps: number | null;
  readonly malformed_rate: number;
  readonly maintenance: boolean;
}

export interface ControlStats {
  readonly served_total: number;
  readonly rejected_rate_limited_total: number;
  readonly max_served_in_any_second: number;
}

/** How one KYC API call is to be treated, decided before the bank looks at the request. */
export type Admission =
  | { readonly kind: 'maintenance'; readonly retryAfterSeconds: number }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'admitted'; readonly delayMs: number; readonly fail: boolean; readonly malformed: boolean };

const DEFAULTS: FaultSettings = {
  latency_ms: 0,
  jitter_ms: 0,
  error_rate: 0,
  rate_limit_rps: null,
  malformed_rate: 0,
  maintenance: false,
};

export const MAINTENANCE_RETRY_AFTER_SECONDS = 30;

/**
 * Fault injection and the bank's own rate limit. Counting happens per whole epoch second
 * (floor(ms / 1000)), the same seconds the limit is enforced in, so /__control/stats proves
 * what the bank actually accepted in any one second.
 */
export class ControlState {
  private settings: FaultSettings = DEFAULTS;
  private currentSecond = -1;
  private servedThisSecond = 0;
  private servedTotal = 0;
  private rejectedTotal = 0;
  private maxPerSecond = 0;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  /** `reset` restores the defaults and zeroes the counters before the other fields apply. */
  update(change: ControlUpdate): FaultSettings {
    if (change.reset) {
      this.settings = DEFAULTS;
      this.resetStats();
    }
    const { reset: _reset, ...fields } = change;
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const merged = { ...this.settings, ...defined };
    this.settings = { ...merged, rate_limit_rps: merged.rate_limit_rps === 0 ? null : merged.rate_limit_rps };
    return this.settings;
  }

  get current(): FaultSettings {
    return this.settings;
  }

  stats(): ControlStats {
    return {
      served_total: this.servedTotal,
      rejected_rate_limited_total: this.rejectedTotal,
      max_served_in_any_second: this.maxPerSecond,
    };
  }

  /** Decides one KYC API call and counts it. */
  admit(): Admission {
    const nowMs = this.now();
    if (this.settings.maintenance) return { kind: 'maintenance', retryAfterSeconds: MAINTENANCE_RETRY_AFTER_SECONDS };
    const second = Math.floor(nowMs / 1000);
    if (second !== this.currentSecond) {
      this.currentSecond = second;
      this.servedThisSecond = 0;
    }
    const limit = this.settings.rate_limit_rps;
    if (limit !== null && this.servedThisSecond >= limit) {
      this.rejectedTotal++;
      return { kind: 'rate_limited', retryAfterSeconds: 1 };
    }
    this.servedThisSecond++;
    this.servedTotal++;
    this.maxPerSecond = Math.max(this.maxPerSecond, this.servedThisSecond);
    return {
      kind: 'admitted',
      delayMs: this.settings.latency_ms + Math.round(this.random() * this.settings.jitter_ms),
      fail: this.random() < this.settings.error_rate,
      malformed: this.random() < this.settings.malformed_rate,
    };
  }

  private resetStats(): void {
    this.currentSecond = -1;
    this.servedThisSecond = 0;
    this.servedTotal = 0;
    this.rejectedTotal = 0;
    this.maxPerSecond = 0;
  }
}
