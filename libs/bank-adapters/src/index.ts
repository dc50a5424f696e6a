export * from './bank-adapter.js';
export * from './oauth/bank-oauth-client.js';
export { installedBankAdapters } from './installed.js';
export { KaedeBankAdapter } from './bank-a/kaede-bank.adapter.js';
export { normalizeBankARecord, type BankAKycRecord } from './bank-a/kaede-record.js';
export { TsubameBankAdapter } from './bank-b/tsubame-bank.adapter.js';
export { normalizeBankBBody, type BankBIdentityBody } from './bank-b/tsubame-body.js';
