export { AuthModule } from './auth.module.js';
export { ApiKeysService, hashApiKey } from './api-keys.service.js';
export { CurrentPrincipal, enterpriseOf, Exposure, Public, Roles } from './auth.decorators.js';
export type { AuthenticatedRequest, Principal, Role } from './principal.js';
