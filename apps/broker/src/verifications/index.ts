export { VerificationsModule } from './verifications.module.js';
export { transitionOf, VerificationsService, type Transition } from './verifications.service.js';
export { VerificationSecrets } from './verification-secrets.js';
