import { Module } from '@nestjs/common';
import { BanksModule } from '../banks/index.js';
import { ContractsModule } from '../contracts/index.js';
import { LedgerModule } from '../ledger/index.js';
import { VerificationsModule } from '../verifications/index.js';
import { IdentityController } from './identity.controller.js';
import { IdentityService } from './identity.service.js';

/** The identity release: contract ∩ consent, the bank through flow control, the ledger entry first. */
@Module({
  imports: [BanksModule, ContractsModule, LedgerModule, VerificationsModule],
  controllers: [IdentityController],
  providers: [IdentityService],
})
export class IdentityModule {}
