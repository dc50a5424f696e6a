import type { INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { createBankApp, type BankConfig } from '@kyc/mock-bank-kit';
import { BANK_A } from './bank-a.definition.js';
import { BankAErrorFilter } from './bank-a-error.filter.js';
import { KycController } from './kyc/kyc.controller.js';

/** Kaede Bank, built but not started: `await app.listen(config.port, '127.0.0.1')`. */
export async function createBankAApp(config: BankConfig): Promise<INestApplication> {
  return createBankApp(config, BANK_A, {
    controllers: [KycController],
    providers: [{ provide: APP_FILTER, useClass: BankAErrorFilter }],
  });
}
