import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ProblemError } from '@kyc/platform';
import type { AuthenticatedRequest, Principal, Role } from './principal.js';

export const ROLES_KEY = 'kyc:roles';
export const PUBLIC_KEY = 'kyc:public';

/** The one role a route accepts. Every route needs either this or @Public(). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export const EXPOSURE_KEY = 'kyc:exposure';

/**
 * An operational route whose audience is configured (BrokerConfig.exposure): public, operator keys
 * only, or off (404 as if it did not exist).
 */
export const Exposure = (setting: 'metrics' | 'docs'): MethodDecorator & ClassDecorator => SetMetadata(EXPOSURE_KEY, setting);

/** A browser-facing route that takes no API key (the consent redirects). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal === undefined) throw new ProblemError('UNAUTHENTICATED', 'An API key is required.');
  return principal;
});

/** The enterprise id of an enterprise principal (the guard guarantees the role). */
export function enterpriseOf(principal: Principal): string {
  if (principal.enterpriseId === undefined) throw new ProblemError('FORBIDDEN', 'This route needs an enterprise key.');
  return principal.enterpriseId;
}
