export { FlowModule } from './flow.module.js';
export { BankCallRefused, FlowControl, isTransportFailure, type CallOptions } from './flow-control.js';
export { InboundLimiter, type RateLimitState } from './inbound-limiter.js';
