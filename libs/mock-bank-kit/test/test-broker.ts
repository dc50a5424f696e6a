// Test support: a throwaway "broker" client (oauth4webapi) and keys for starting a mock bank in-process.
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { BankBrowser, findFreePort, loadBankConfig, type BankConfig, type BankId, type ConsentDecision, type KycRelease } from '@kyc/mock-bank-kit';

export interface TestBroker {
  readonly config: BankConfig;
  readonly clientAuth: oauth.ClientAuth;
}

async function privateJwks(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256' }] });
}

/** A bank config on a free port with fresh keys; the registered redirect URI points nowhere on purpose. */
export async function testBankSetup(bank: BankId): Promise<TestBroker> {
  const port = await findFreePort();
  const client = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(client.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const prefix = bank === 'a' ? 'BANK_A' : 'BANK_B';
  const config = loadBankConfig(bank, {
    [`${prefix}_PORT`]: String(port),
    BROKER_PUBLIC_URL: 'http://127.0.0.1:1',
    BROKER_CLIENT_JWKS: JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256' }] }),
    [`${prefix}_JWKS`]: await privateJwks(),
    [`${prefix}_COOKIE_KEY`]: randomBytes(32).toString('base64url'),
    BANK_CONTROL: '1',
  });
  return { config, clientAuth: oauth.PrivateKeyJwt({ key: client.privateKey, kid }) };
}

export const insecure = { [oauth.allowInsecureRequests]: true } as const;
export const client: oauth.Client = { client_id: 'kyc-broker', id_token_signed_response_alg: 'ES256' };

export interface FlowResult {
  readonly callback: URL;
  readonly as: oauth.AuthorizationServer;
  readonly dpop: oauth.DPoPHandle;
  readonly tokens?: oauth.TokenEndpointResponse;
}

export interface PushedAuthorization {
  readonly as: oauth.AuthorizationServer;
  readonly dpop: oauth.DPoPHandle;
  readonly authorizationUrl: URL;
  readonly state: string;
  readonly verifier: string;
}

/** PAR with authorization_details, PKCE S256, private_key_jwt and DPoP; the URL to send the browser to. */
export async function pushAuthorization(setup: TestBroker, scope: string, details: unknown[] | undefined): Promise<PushedAuthorization> {
  const issuer = new URL(setup.config.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const par = await oauth.pushedAuthorizationRequest(as, client, setup.clientAuth, {
    redirect_uri: setup.config.redirectUri,
    response_type: 'code',
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(details ? { authorization_details: JSON.stringify(details) } : {}),
  }, { DPoP: dpop, ...insecure });
  const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, par);
  const authorizationUrl = new URL(as.authorization_endpoint ?? '');
  authorizationUrl.searchParams.set('client_id', client.client_id);
  authorizationUrl.searchParams.set('request_uri', request_uri);
  return { as, dpop, authorizationUrl, state, verifier };
}

/** PAR → login + consent in a cookie-keeping browser → (on approval) code exchange. */
export async function runConsentFlow(
  setup: TestBroker,
  scope: string,
  release: KycRelease,
  login: { username: string; decision: ConsentDecision },
): Promise<FlowResult> {
  const { as, dpop, authorizationUrl, state, verifier } = await pushAuthorization(setup, scope, [release]);
  const callback = await new BankBrowser().authorize(authorizationUrl, { ...login, password: 'password' });
  if (login.decision === 'deny') return { callback, as, dpop };
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, setup.clientAuth, params, setup.config.redirectUri, verifier, {
    DPoP: dpop,
    ...insecure,
  });
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  return { callback, as, dpop, tokens };
}
