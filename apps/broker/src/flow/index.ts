export { FlowModule } from './flow.module.js';
export { BankCallRefused, FlowControl } from './flow-control.js';
export { ContractRateLimit, LimitByAddress, LimitByVerification } from './inbound-limits.js';
