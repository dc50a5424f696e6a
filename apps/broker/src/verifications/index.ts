export { VerificationsModule } from './verifications.module.js';
export { VerificationsService } from './verifications.service.js';
export { VerificationSecrets } from './verification-secrets.js';
