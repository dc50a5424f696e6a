import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BROKER_CONFIG, ProblemError, rateLimitHeaders, RedisThrottlerStorage, type BrokerConfig } from '@kyc/platform';

const LIMITER = 'auth-failures';
const WINDOW_MS = 60_000;

/**
 * Unknown API keys per client address (AUTH_FAILURE_LIMIT_PER_MINUTE), counted in Redis across
 * instances. Past the limit, a key the instance does not already know is refused with 429 before it
 * is looked up, so a guess cannot be told from a refusal; keys already known (the hot path) are
 * never held up. Keys are 256 random bits, so guessing is hopeless anyway: this keeps a scan from
 * costing the database a lookup per guess.
 */
@Injectable()
export class AuthFailureLimit {
  private readonly limit: number;

  constructor(
    private readonly storage: RedisThrottlerStorage,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
  ) {
    this.limit = config.inbound.authFailuresPerMinute;
  }

  /** Throws 429 RATE_LIMITED while the address is blocked. */
  async refuseIfBlocked(address: string): Promise<void> {
    const ms = await this.storage.blockedFor(trackerOf(address), this.limit, LIMITER);
    if (ms <= 0) return;
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    throw new ProblemError('RATE_LIMITED', 'Too many unknown API keys from this address; retry later.', {
      retryAfterSeconds: seconds,
      headers: rateLimitHeaders({ limit: this.limit, remaining: 0, resetSeconds: seconds }),
    });
  }

  /** Counts one unknown key from the address (the hit past the limit starts the block). */
  async failed(address: string): Promise<void> {
    await this.storage.increment(trackerOf(address), WINDOW_MS, this.limit, WINDOW_MS, LIMITER);
  }
}

const trackerOf = (address: string): string => createHash('sha256').update(address).digest('base64url');
