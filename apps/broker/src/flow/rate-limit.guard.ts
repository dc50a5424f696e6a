import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { BROKER_CONFIG, type BrokerConfig } from '@kyc/platform';
import type { AuthenticatedRequest } from '../auth/index.js';
import { InboundLimiter, rateLimitHeaders } from './inbound-limiter.js';

/** Runs after authentication: every enterprise key's requests count against its enterprise's limit. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: InboundLimiter,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const principal = http.getRequest<AuthenticatedRequest>().principal;
    if (principal?.enterpriseId === undefined) return true;
    const state = await this.limiter.hit(`ent:${principal.enterpriseId}`, this.config.enterpriseRateLimitRps);
    http.getResponse<Response>().set(rateLimitHeaders(state));
    return true;
  }
}
