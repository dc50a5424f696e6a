import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysService } from './api-keys.service.js';
import { AuthFailureLimit } from './auth-failure-limit.js';
import { AuthGuard } from './auth.guard.js';

/** API keys and the global guard: every route is closed unless it names its role or is public. */
@Module({
  providers: [ApiKeysService, AuthFailureLimit, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiKeysService],
})
export class AuthModule {}
