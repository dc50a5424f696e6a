export { VerificationsModule } from './verifications.module.js';
export { VerificationsService, type CreatedVerification } from './verifications.service.js';
export { VerificationSecrets, type BankTokenSet } from './verification-secrets.js';
export { verificationView, type VerificationView } from './verification.view.js';
