import { Module } from '@nestjs/common';
import { BanksModule } from '../banks/index.js';
import { ContractsModule } from '../contracts/index.js';
import { LedgerModule } from '../ledger/index.js';
import { WebhooksModule } from '../webhooks/index.js';
import { BankRevocations } from './bank-revocations.js';
import { ExpirySweeper } from './expiry-sweeper.js';
import { VerificationSecrets } from './verification-secrets.js';
import { VerificationsController } from './verifications.controller.js';
import { VerificationsService } from './verifications.service.js';

/** Verifications from the enterprise's side (create, read, revoke), their secrets, and their expiry. */
@Module({
  imports: [BanksModule, ContractsModule, LedgerModule, WebhooksModule],
  controllers: [VerificationsController],
  providers: [VerificationsService, VerificationSecrets, ExpirySweeper, BankRevocations],
  exports: [VerificationsService, VerificationSecrets],
})
export class VerificationsModule {}
