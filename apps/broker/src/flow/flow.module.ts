import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BankSlots } from './bank-slots.js';
import { FlowControl } from './flow-control.js';
import { InboundLimiter } from './inbound-limiter.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { SlotWakeups } from './slot-wakeups.js';

/**
 * Flow control (SPEC §7): outbound slots, pauses and circuits per bank, and the inbound limits. Its
 * guard counts every enterprise request; the app imports this module after AuthModule, so the guard
 * runs after authentication has named the enterprise.
 */
@Module({
  providers: [BankSlots, SlotWakeups, FlowControl, InboundLimiter, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [FlowControl, InboundLimiter],
})
export class FlowModule {}
