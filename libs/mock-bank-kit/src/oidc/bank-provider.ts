import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { BankConfig } from '../config/bank-config.js';
import type { BankDefinition, CustomerDirectory } from '../bank/bank-definition.js';
import { PAGE_SECURITY_HEADERS, renderErrorPage } from './pages.js';
import { KYC_RELEASE_TYPE, kycReleaseSchema } from './kyc-release.js';
import { MemoryAdapterStore } from './memory-adapter.js';

export const BROKER_CLIENT_ID = 'kyc-broker';

/** Provider routes, set explicitly so the bank knows which paths belong to the provider. */
export const PROVIDER_ROUTES = {
  authorization: '/auth',
  pushed_authorization_request: '/request',
  token: '/token',
  jwks: '/jwks',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  end_session: '/session/end',
  userinfo: '/me',
} as const;

const PROVIDER_PATH_PREFIXES = ['/.well-known/', ...Object.values(PROVIDER_ROUTES)];

export function isProviderPath(path: string): boolean {
  return PROVIDER_PATH_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
}

export function resourceIndicatorOf(config: BankConfig, bank: BankDefinition): string {
  return `${config.issuer}${bank.resourcePath}`;
}

type RarConfig = Record<string, unknown>;

/** RFC 9396 policy: the grant holds exactly the consented kyc_release detail; tokens inherit it unchanged. */
function richAuthorizationRequests(): RarConfig {
  return {
    enabled: true,
    types: {
      [KYC_RELEASE_TYPE]: {
        validate(_ctx: KoaContextWithOIDC, detail: unknown) {
          const parsed = kycReleaseSchema.safeParse(detail);
          if (!parsed.success) {
            throw new errors.InvalidAuthorizationDetails(
              `invalid kyc_release detail: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
            );
          }
        },
      },
    },
    // Stored on the authorization code: what the customer approved (the grant), never more than asked.
    authorizationDetailsForGrantSource(ctx: KoaContextWithOIDC) {
      return ctx.oidc.grant?.rar;
    },
    // Narrowing or widening at the token endpoint is not offered: the token carries the grant's details.
    authorizationDetailsForAccessToken(ctx: KoaContextWithOIDC, _token: unknown, source: { rar?: unknown } | undefined) {
      if (ctx.oidc.params?.['authorization_details'] !== undefined) {
        throw new errors.InvalidAuthorizationDetails('authorization_details cannot be changed at the token endpoint');
      }
      return source?.rar;
    },
    authorizationDetailsForIntrospection(_ctx: KoaContextWithOIDC, token: { rar?: unknown }) {
      return token.rar;
    },
  };
}

function resourceIndicators(config: BankConfig, bank: BankDefinition): NonNullable<Configuration['features']>['resourceIndicators'] {
  const resource = resourceIndicatorOf(config, bank);
  return {
    enabled: true,
    // The broker never sends `resource`: the bank's KYC API is the only resource server.
    defaultResource: () => resource,
    useGrantedResource: () => true,
    getResourceServerInfo: (_ctx, indicator) => {
      if (indicator !== resource) throw new errors.InvalidTarget('unknown resource indicator');
      return { scope: bank.scope, accessTokenFormat: 'opaque', audience: resource, accessTokenTTL: 3600 };
    },
  };
}

function cookieNames(prefix: string): Record<string, string> {
  return {
    session: `${prefix}_session`,
    interaction: `${prefix}_interaction`,
    resume: `${prefix}_interaction_resume`,
  };
}

/** `store` holds the provider's sessions, interactions and tokens; give each provider its own. */
export function providerConfiguration(
  config: BankConfig,
  bank: BankDefinition,
  directory: CustomerDirectory,
  store: MemoryAdapterStore = new MemoryAdapterStore(),
): Configuration {
  return {
    adapter: store.factory,
    clients: [
      {
        client_id: BROKER_CLIENT_ID,
        redirect_uris: [config.redirectUri],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        id_token_signed_response_alg: 'ES256',
        dpop_bound_access_tokens: true,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        authorization_details_types: [KYC_RELEASE_TYPE],
        jwks: config.brokerClientJwks,
      },
    ],
    jwks: config.signingJwks,
    cookies: { names: cookieNames(bank.cookiePrefix), keys: config.cookieKeys },
    routes: PROVIDER_ROUTES,
    responseTypes: ['code'],
    scopes: ['openid'],
    claims: { openid: ['sub'] },
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      requestObjectSigningAlgValues: ['ES256'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA', 'Ed25519', 'PS256'],
    },
    features: {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { enabled: true },
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      // A client may revoke only the tokens issued to it (RFC 7009 §2.1).
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      resourceIndicators: resourceIndicators(config, bank),
      richAuthorizationRequests: richAuthorizationRequests(),
    },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      PushedAuthorizationRequest: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 86_400,
      IdToken: 3600,
      AccessToken: 3600,
      RefreshToken: 86_400,
    },
    rotateRefreshToken: false,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const customer = directory.find(sub);
      return customer ? { accountId: customer.username, claims: () => ({ sub: customer.username }) } : undefined;
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.set(PAGE_SECURITY_HEADERS);
      ctx.body = renderErrorPage(bank.branding, out.error ?? 'server_error', out.error_description);
    },
  };
}

export function createBankProvider(config: BankConfig, bank: BankDefinition, directory: CustomerDirectory): Provider {
  // A store of its own, not oidc-provider's development LRU that evicts live flows under load.
  return new Provider(config.issuer, providerConfiguration(config, bank, directory, new MemoryAdapterStore()));
}
