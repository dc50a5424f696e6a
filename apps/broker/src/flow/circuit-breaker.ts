import { Injectable } from '@nestjs/common';
import { RedisService } from '@kyc/platform';

export type CircuitState = { readonly allowed: true; readonly probe: boolean } | { readonly allowed: false; readonly retryAfterMs: number };

export interface CircuitSettings {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  /** How long one probe may take before another instance may probe. */
  readonly probeTimeoutMs: number;
}

const keys = (bankId: string): { open: string; failures: string; probe: string } => {
  const tag = `kyc:flow:{${bankId}}:circuit`;
  return { open: `${tag}:open`, failures: `${tag}:failures`, probe: `${tag}:probe` };
};

/** How long consecutive failures are remembered; a success clears them. */
const FAILURE_MEMORY_MS = 60_000;

/**
 * A per-bank circuit breaker shared by all broker instances. After `failureThreshold` consecutive
 * failures it opens for `cooldownMs`; then one call at a time probes (half-open): success closes it,
 * failure opens it again.
 */
@Injectable()
export class CircuitBreaker {
  constructor(private readonly redis: RedisService) {}

  async check(bankId: string, settings: CircuitSettings): Promise<CircuitState> {
    const k = keys(bankId);
    const [openTtl, failures] = await Promise.all([this.redis.client.pttl(k.open), this.redis.client.get(k.failures)]);
    if (openTtl > 0) return { allowed: false, retryAfterMs: openTtl };
    if (Number(failures ?? 0) < settings.failureThreshold) return { allowed: true, probe: false };
    const probing = await this.redis.client.set(k.probe, '1', 'PX', settings.probeTimeoutMs, 'NX');
    return probing === 'OK' ? { allowed: true, probe: true } : { allowed: false, retryAfterMs: 1_000 };
  }

  async succeeded(bankId: string): Promise<void> {
    const k = keys(bankId);
    await this.redis.client.del(k.failures, k.probe);
  }

  async failed(bankId: string, settings: CircuitSettings): Promise<void> {
    const k = keys(bankId);
    const failures = await this.redis.client.incr(k.failures);
    await this.redis.client.pexpire(k.failures, FAILURE_MEMORY_MS);
    if (failures >= settings.failureThreshold) {
      await this.redis.client.set(k.open, '1', 'PX', settings.cooldownMs);
      await this.redis.client.del(k.probe);
    }
  }
}
