export { VerificationsModule } from './verifications.module.js';
export { transitionOf, VerificationsService, type Transition } from './verifications.service.js';
export { VerificationSecrets } from './verification-secrets.js';
/** The webhook event types a verification's changes set off. */
export type { WebhookType } from '../webhooks/index.js';
