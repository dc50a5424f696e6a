import type { INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { createBankApp, type BankConfig } from '@kyc/mock-bank-kit';
import { BANK_B } from './bank-b.definition.js';
import { BankBErrorFilter } from './bank-b-error.filter.js';
import { InquiryController } from './inquiry/inquiry.controller.js';

/** Tsubame Bank, built but not started: `await app.listen(config.port, '127.0.0.1')`. */
export async function createBankBApp(config: BankConfig): Promise<INestApplication> {
  return createBankApp(config, BANK_B, {
    controllers: [InquiryController],
    providers: [{ provide: APP_FILTER, useClass: BankBErrorFilter }],
  });
}
