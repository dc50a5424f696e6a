export { FlowModule } from './flow.module.js';
export { BankCallRefused, FlowControl } from './flow-control.js';
export { InboundLimiter } from './inbound-limiter.js';
