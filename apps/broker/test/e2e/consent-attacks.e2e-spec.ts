import { importJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankBrowser } from '@kyc/mock-bank-kit';
import { call, consentAtBank, customersOf, newTenant, newVerification, type Tenant } from '../support/api.js';
import { CookieBrowser } from '../support/browser.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The consent as an attacker would try it: against the banks directly with the broker's own client
 * credentials (a PKCE downgrade, a replayed code), and against the broker's callback (a replayed or
 * forwarded callback, an issuer mix-up). The browser binding of `state` is consent-binding.e2e-spec.ts.
 */
let stack: Stack;
let tenant: Tenant;
let username: string;
let clientAuth: oauth.ClientAuth;
const client: oauth.Client = { client_id: 'kyc-broker', id_token_signed_response_alg: 'ES256' };
const insecure = { [oauth.allowInsecureRequests]: true } as const;

beforeAll(async () => {
  stack = await startStack();
  tenant = await newTenant(stack);
  username = (await customersOf(stack.bankA, 100)).find((c) => c.record['kycStatus'] === 'VERIFIED')?.username ?? '';
  const jwk = stack.config.keys.clientAuthJwk;
  clientAuth = oauth.PrivateKeyJwt({ key: (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey, kid: String(jwk.kid) });
});

afterAll(async () => {
  await stack.close();
});

const redirectUri = (): string => `${stack.config.publicUrl}/v1/oauth/callback`;

async function discovered(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, insecure));
}

/** A PAR as the broker's client, with the PKCE parameters given; the bank's answer. */
async function par(issuer: string, pkce: Record<string, string>): Promise<{ ok: true; requestUri: string } | { ok: false; error: string }> {
  const as = await discovered(issuer);
  const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  const params = { redirect_uri: redirectUri(), response_type: 'code', scope: 'openid', state: oauth.generateRandomState(), ...pkce };
  try {
    const response = await oauth.pushedAuthorizationRequest(as, client, clientAuth, params, { DPoP: dpop, ...insecure });
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, response);
    return { ok: true, requestUri: request_uri };
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return { ok: false, error: err.error };
    throw err;
  }
}

describe('PKCE cannot be downgraded at either bank', () => {
  it.each(['bank A', 'bank B'])('%s refuses a PAR with code_challenge_method=plain, or with no challenge, and takes S256', async (name) => {
    const issuer = name === 'bank A' ? stack.bankA : stack.bankB;
    const verifier = oauth.generateRandomCodeVerifier();

    const plain = await par(issuer, { code_challenge: verifier, code_challenge_method: 'plain' });
    const missing = await par(issuer, {});
    const s256 = await par(issuer, { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });

    expect(plain).toMatchObject({ ok: false, error: 'invalid_request' });
    expect(missing).toMatchObject({ ok: false, error: 'invalid_request' });
    expect(s256).toMatchObject({ ok: true });
  });
});

describe('an authorization code works once', () => {
  it('bank A refuses the same code at its token endpoint a second time', async () => {
    const as = await discovered(stack.bankA);
    const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const response = await oauth.pushedAuthorizationRequest(as, client, clientAuth, {
      redirect_uri: redirectUri(),
      response_type: 'code',
      scope: 'openid kyc:read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([{ type: 'kyc_release', enterprise: { id: tenant.id, name: 'Test' }, purpose: 'account_opening', claims: ['birthdate'] }]),
    }, { DPoP: dpop, ...insecure });
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, response);
    const url = new URL(as.authorization_endpoint ?? '');
    url.searchParams.set('client_id', client.client_id);
    url.searchParams.set('request_uri', request_uri);
    const callback = await new BankBrowser().authorize(url, { username, password: 'password', decision: 'approve' });
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const exchange = async (): Promise<oauth.TokenEndpointResponse> =>
      oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri(), verifier, { DPoP: dpop, ...insecure }));

    const first = await exchange();
    expect(first.token_type.toLowerCase()).toBe('dpop');
    await expect(exchange()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it("the broker refuses its own callback replayed, from the same browser or another, and keeps the verification's outcome", async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);

    for (const replayer of [browser, new CookieBrowser()]) {
      const again = await replayer.get(callbackUrl);
      expect(again.status).toBe(400);
      expect(((await again.json()) as { code: string }).code).toBe('INVALID_CALLBACK');
    }
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key)).body).toMatchObject({ status: 'authorized' });
  });
});

describe('issuer mix-up', () => {
  it.each([
    ['carries bank B as its issuer', (url: URL): void => url.searchParams.set('iss', stack.bankB)],
    ['carries no issuer', (url: URL): void => url.searchParams.delete('iss')],
  ])('a callback for a bank A verification that %s never authorizes it', async (_label, tamper) => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
    const mixed = new URL(callbackUrl);
    tamper(mixed);

    const res = await browser.get(mixed.toString());

    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('server_error');
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key)).body['status']).toBe('failed');
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, tenant.key)).status).toBe(409);
  });
});
