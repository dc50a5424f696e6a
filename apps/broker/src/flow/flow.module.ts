import { Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { BROKER_CONFIG, RedisThrottlerStorage, type BrokerConfig } from '@kyc/platform';
import { BankSlots } from './bank-slots.js';
import { FlowControl } from './flow-control.js';
import { ContractRateLimit, InboundThrottlerGuard, inboundThrottlers } from './inbound-limits.js';
import { SlotWakeups } from './slot-wakeups.js';

/**
 * Flow control (SPEC §7): outbound slots, pauses and circuits per bank, and the inbound limits
 * (@nestjs/throttler on Redis). Its guard counts every request a limit applies to; the app imports
 * this module after AuthModule, so the guard runs after authentication has named the principal.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [BROKER_CONFIG, RedisThrottlerStorage, Reflector],
      useFactory: (config: BrokerConfig, storage: RedisThrottlerStorage, reflector: Reflector) => ({
        throttlers: inboundThrottlers(config, reflector),
        storage,
        setHeaders: false,
      }),
    }),
  ],
  providers: [BankSlots, SlotWakeups, FlowControl, ContractRateLimit, { provide: APP_GUARD, useClass: InboundThrottlerGuard }],
  exports: [FlowControl, ContractRateLimit],
})
export class FlowModule {}
