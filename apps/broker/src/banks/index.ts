export { BanksModule } from './banks.module.js';
export { BankClientService } from './bank-client.service.js';
export { bankAdaptersModule } from './bank-adapter.providers.js';
