import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';
import { InboundLimiter } from '../flow/inbound-limiter.js';
import { RateLimitGuard } from '../flow/rate-limit.guard.js';

@Global()
@Module({
  // Guards run in this order: authenticate, then count the request against its enterprise's limit.
  providers: [ApiKeysService, InboundLimiter, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [ApiKeysService, InboundLimiter],
})
export class AuthModule {}
