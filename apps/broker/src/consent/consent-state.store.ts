import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { RedisService, Sealer } from '@kyc/platform';

const flowSchema = z.strictObject({
  verificationId: z.string(),
  bankId: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  /** SHA-256 (hex) of the browser binding the flow was started with (the flow cookie). */
  browser: z.string().regex(/^[0-9a-f]{64}$/, 'is not a digest'),
});

export type ConsentFlow = z.infer<typeof flowSchema>;

const pushedSchema = z.strictObject({ url: z.url(), state: z.string() });

const DIGEST = /^[0-9a-f]{64}$/;
const CONTEXT = 'consent-flow';
const PUSHED_CONTEXT = 'consent-pushed';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const keyOf = (state: string): string => `kyc:consent:${sha256(state)}`;
const pushedKey = (verificationId: string, browser: string): string => `kyc:consent-par:${verificationId}:${browser}`;

/** The browser binding's stored form: a hash, so Redis never holds the cookie itself. */
export const browserDigest = (binding: string): string => sha256(binding);

/** Why a callback's state could not be used. */
export type TakeFailure = 'unknown' | 'other-browser';

/**
 * Short-lived consent state in Redis, keyed by a hash of the OAuth `state`, sealed at rest, usable
 * once, on any broker instance, and only by the browser that started the flow. Beside it, the
 * pending PAR of each verification and browser, reused while the bank's request_uri is valid.
 */
@Injectable()
export class ConsentStateStore {
  constructor(
    private readonly redis: RedisService,
    private readonly sealer: Sealer,
  ) {}

  async put(state: string, flow: ConsentFlow, ttlSeconds: number): Promise<void> {
    await this.redis.client.set(keyOf(state), this.sealer.sealJson(flow, CONTEXT), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  /**
   * The flow for `state` when `browser` (the digest of the callback's flow cookie) is the one that
   * started it, removed so that only one callback uses it. A callback from another browser leaves
   * the state for the right one.
   */
  async take(state: string, browser: string | undefined): Promise<ConsentFlow | TakeFailure> {
    const key = keyOf(state);
    const sealed = await this.redis.client.get(key);
    if (sealed === null) return 'unknown';
    const flow = flowSchema.parse(this.sealer.openJson(sealed, CONTEXT));
    if (browser === undefined || !DIGEST.test(browser) || !timingSafeEqual(Buffer.from(flow.browser, 'hex'), Buffer.from(browser, 'hex'))) return 'other-browser';
    // Exactly once: of two callbacks racing with the same state, only the one that deletes it goes on.
    return (await this.redis.client.del(key)) === 1 ? flow : 'unknown';
  }

  /** The authorization URL of a PAR still valid for this verification and browser, if any. */
  async pending(verificationId: string, browser: string): Promise<URL | undefined> {
    const sealed = await this.redis.client.get(pushedKey(verificationId, browser));
    if (sealed === null) return undefined;
    const parsed = pushedSchema.safeParse(this.sealer.openJson(sealed, PUSHED_CONTEXT));
    return parsed.success ? new URL(parsed.data.url) : undefined;
  }

  async rememberPushed(verificationId: string, browser: string, pushed: { url: URL; state: string }, ttlSeconds: number): Promise<void> {
    if (ttlSeconds < 1) return;
    await this.redis.client.set(
      pushedKey(verificationId, browser),
      this.sealer.sealJson({ url: pushed.url.toString(), state: pushed.state }, PUSHED_CONTEXT),
      'EX',
      Math.floor(ttlSeconds),
    );
  }
}
