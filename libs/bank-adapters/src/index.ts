export * from './bank-adapter.js';
export * from './oauth/bank-oauth-client.js';
export { installedBankAdapters } from './installed.js';
export { KaedeBankAdapter } from './bank-a/kaede-bank.adapter.js';
export { TsubameBankAdapter } from './bank-b/tsubame-bank.adapter.js';
