export { AuthModule } from './auth.module.js';
export { ApiKeysService, BOOTSTRAP_KEY_ID, hashApiKey } from './api-keys.service.js';
export { CurrentPrincipal, enterpriseOf, Exposure, Public, Roles } from './auth.decorators.js';
export type { AuthenticatedRequest, Principal, Role } from './principal.js';
