import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BROKER_CONFIG, clientAddress, ProblemError, type BrokerConfig } from '@kyc/platform';
import { ApiKeysService } from './api-keys.service.js';
import { AuthFailureLimit } from './auth-failure-limit.js';
import { EXPOSURE_KEY, PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import type { AuthenticatedRequest, Role } from './principal.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,256})$/;

/** Global guard: every route is closed unless it names its role or is marked public. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly failures: AuthFailureLimit,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const exposure = this.reflector.getAllAndOverride<'metrics' | 'docs' | undefined>(EXPOSURE_KEY, targets);
    const audience = exposure === undefined ? undefined : this.config.exposure[exposure];
    if (audience === 'off') throw new ProblemError('NOT_FOUND', 'No such route.');
    if (audience === 'public') return true;
    if (audience === undefined && this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true) return true;
    const roles: Role[] = audience === 'operator' ? ['operator'] : (this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? []);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (match?.[1] === undefined) throw new ProblemError('UNAUTHENTICATED', 'Send an API key as `Authorization: Bearer <key>`.');
    const address = clientAddress(req);
    const principal = await this.keys.authenticate(match[1], {
      before: () => this.failures.refuseIfBlocked(address),
      unknown: () => this.failures.failed(address),
    });
    if (principal === undefined) throw new ProblemError('UNAUTHENTICATED', 'The API key is unknown or revoked.');
    // Nothing an enterprise key reaches may be used while its enterprise is suspended (OWASP API5).
    if (principal.suspended === true) throw new ProblemError('ENTERPRISE_SUSPENDED', 'This enterprise is suspended.');
    if (!roles.includes(principal.role)) throw new ProblemError('FORBIDDEN', 'This API key has no access to this route.');
    req.principal = principal;
    return true;
  }
}
