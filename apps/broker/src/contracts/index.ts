export { ContractsModule } from './contracts.module.js';
export { ContractPolicy } from './contract-policy.service.js';
