export { ContractsModule } from './contracts.module.js';
export { ContractPolicy, isWithinWindow, type Permission } from './contract-policy.service.js';
