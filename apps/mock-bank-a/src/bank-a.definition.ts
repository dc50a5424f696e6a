import { bankCustomers, type BankDefinition } from '@kyc/mock-bank-kit';
import { bankAFullResponse } from './kyc/bank-a-record.js';

export const BANK_A_SCOPE = 'kyc:read';

export const BANK_A: BankDefinition = {
  id: 'a',
  branding: { name: 'Kaede Bank', nameJa: 'かえで銀行', colour: '#c0392b' },
  scope: BANK_A_SCOPE,
  resourcePath: '/api/kyc',
  cookiePrefix: 'kaede',
  customers: bankCustomers('a'),
  fullRecord: bankAFullResponse,
};
