export { BanksModule } from './banks.module.js';
export { BankClientService, BROKER_CLIENT_ID } from './bank-client.service.js';
export { bankAdaptersModule, bankAdapterToken } from './bank-adapter.providers.js';
