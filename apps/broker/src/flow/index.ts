export { FlowModule } from './flow.module.js';
export { BankCallRefused, FlowControl, type BankAvailability } from './flow-control.js';
export { ContractRateLimit, LimitByAddress, LimitByVerification } from './inbound-limits.js';
