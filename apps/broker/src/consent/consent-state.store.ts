import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { RedisService, Sealer } from '@kyc/platform';

const flowSchema = z.strictObject({
  verificationId: z.string(),
  bankId: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
});

export type ConsentFlow = z.infer<typeof flowSchema>;

const CONTEXT = 'consent-flow';
const keyOf = (state: string): string => `kyc:consent:${createHash('sha256').update(state).digest('hex')}`;

/**
 * Short-lived consent state in Redis, keyed by a hash of the OAuth `state`, sealed at rest, and
 * taken with GETDEL so a callback can use it exactly once, on any broker instance.
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

  /** The flow for `state`, removed atomically; undefined when unknown, expired or already used. */
  async take(state: string): Promise<ConsentFlow | undefined> {
    const sealed = await this.redis.client.getdel(keyOf(state));
    if (sealed === null) return undefined;
    return flowSchema.parse(this.sealer.openJson(sealed, CONTEXT));
  }
}
