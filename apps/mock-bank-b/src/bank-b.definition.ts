import { bankCustomers, type BankDefinition } from '@kyc/mock-bank-kit';
import { bankBFullResponse } from './inquiry/bank-b-record.js';

export const BANK_B_SCOPE = 'identity';

export const BANK_B: BankDefinition = {
  id: 'b',
  branding: { name: 'Tsubame Bank', nameJa: 'つばめ銀行', colour: '#1f4e8c' },
  scope: BANK_B_SCOPE,
  resourcePath: '/openapi/v2',
  cookiePrefix: 'tsubame',
  customers: bankCustomers('b'),
  fullRecord: bankBFullResponse,
};
