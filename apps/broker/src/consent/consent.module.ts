import { Module } from '@nestjs/common';
import { BanksModule } from '../banks/index.js';
import { ContractsModule } from '../contracts/index.js';
import { LedgerModule } from '../ledger/index.js';
import { VerificationsModule } from '../verifications/index.js';
import { ConsentStateStore } from './consent-state.store.js';
import { ConsentController } from './consent.controller.js';
import { ConsentService } from './consent.service.js';

/** The customer's consent at the bank: PAR out, callback in, tokens sealed, outcome recorded. */
@Module({
  imports: [BanksModule, ContractsModule, LedgerModule, VerificationsModule],
  controllers: [ConsentController],
  providers: [ConsentService, ConsentStateStore],
})
export class ConsentModule {}
