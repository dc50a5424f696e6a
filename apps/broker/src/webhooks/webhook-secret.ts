import { randomBytes } from 'node:crypto';
import type { Sealer } from '@kyc/platform';

/** The sealing context of an enterprise's webhook secret: a sealed secret opens only for its enterprise. */
export const webhookSecretContext = (enterpriseId: string): string => `webhook-secret:${enterpriseId}`;

/** The sealing context of the secret before the last rotation. */
export const previousWebhookSecretContext = (enterpriseId: string): string => `webhook-secret-previous:${enterpriseId}`;

/** A fresh signing secret for an enterprise's webhooks: shown once, stored sealed. */
export function newWebhookSecret(sealer: Sealer, enterpriseId: string): { secret: string; sealed: string } {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  return { secret, sealed: sealer.seal(secret, webhookSecretContext(enterpriseId)) };
}
