import type { INestApplication } from '@nestjs/common';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import request from 'supertest';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankBrowser, EDGE_CASES, formAction, type BankPage, type KycRelease } from '@kyc/mock-bank-kit';
import { insecure, pushAuthorization, runConsentFlow, submitFirstCheckpoint, testBankSetup, type TestBroker } from '../../../libs/mock-bank-kit/test/test-broker.js';
import { createBankAApp } from './app.js';

const release: KycRelease = {
  type: 'kyc_release',
  enterprise: { id: 'ent_demo123', name: 'Demo Motors 株式会社' },
  purpose: 'account_opening',
  claims: ['family_name', 'given_name', 'family_name#ja-Kana-JP', 'given_name#ja-Kana-JP', 'birthdate', 'address'],
};

describe(createBankAApp.name, () => {
  let setup: TestBroker;
  let sut: INestApplication;

  beforeAll(async () => {
    setup = await testBankSetup('a');
    sut = await createBankAApp(setup.config);
    await sut.listen(setup.config.port, '127.0.0.1');
  });

  afterAll(async () => {
    await sut?.close();
    if (setup) await rm(setup.config.witness.stateDir, { recursive: true, force: true });
  });

  it('witnesses the broker ledger at /witness/add-checkpoint, reading the body before Nest does', async () => {
    const first = await submitFirstCheckpoint(setup);
    const again = await submitFirstCheckpoint(setup);

    expect(first).toMatchObject({ status: 200, cosignature: { timestamp: expect.any(Number) as number } });
    expect(again.status).toBe(409);
  });

  async function controlRecord(username: string): Promise<unknown> {
    const res = await fetch(`${setup.config.issuer}/__control/customers?limit=5000`);
    const body = (await res.json()) as { data: Array<{ username: string; record: unknown }>; total: number };
    return body.data.find((c) => c.username === username)?.record;
  }

  it('runs PAR → login → consent → DPoP-bound token → KYC API, returning the control record', async () => {
    const flow = await runConsentFlow(setup, 'openid kyc:read', release, { username: '0000001', decision: 'approve' });

    expect(flow.callback.searchParams.get('iss')).toBe(setup.config.issuer);
    expect(flow.tokens?.token_type).toBe('dpop');
    expect(flow.tokens?.authorization_details).toEqual([release]);
    expect(flow.tokens?.scope?.split(' ')).toContain('kyc:read');
    expect(flow.tokens && oauth.getValidatedIdTokenClaims(flow.tokens)?.sub).toBe('0000001');
    const response = await oauth.protectedResourceRequest(
      flow.tokens?.access_token ?? '', 'GET', new URL(`${setup.config.issuer}/api/kyc/v1/customer`), undefined, undefined,
      { DPoP: flow.dpop, ...insecure },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(await controlRecord('0000001'));
  });

  it('keeps the consent on refreshed tokens and stops answering after revocation', async () => {
    const flow = await runConsentFlow(setup, 'openid kyc:read', release, { username: '0000006', decision: 'approve' });
    const refreshToken = flow.tokens?.refresh_token ?? '';
    const client = { client_id: 'kyc-broker', id_token_signed_response_alg: 'ES256' };

    const refreshed = await oauth.processRefreshTokenResponse(flow.as, client,
      await oauth.refreshTokenGrantRequest(flow.as, client, setup.clientAuth, refreshToken, { DPoP: flow.dpop, ...insecure }));
    expect(refreshed.authorization_details).toEqual([release]);
    expect(refreshed.refresh_token ?? refreshToken).toBe(refreshToken);

    await oauth.processRevocationResponse(await oauth.revocationRequest(flow.as, client, setup.clientAuth, refreshed.access_token, insecure));
    const afterRevocation = oauth.protectedResourceRequest(
      refreshed.access_token, 'GET', new URL(`${setup.config.issuer}/api/kyc/v1/customer`), undefined, undefined,
      { DPoP: flow.dpop, ...insecure },
    );
    const error: unknown = await afterRevocation.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = (error as oauth.WWWAuthenticateChallengeError).cause[0];
    expect([challenge?.scheme, challenge?.parameters.error]).toEqual(['dpop', 'invalid_token']);
  });

  it('releases only the consented claims', async () => {
    const narrow: KycRelease = { ...release, claims: ['birthdate'] };
    const flow = await runConsentFlow(setup, 'openid kyc:read', narrow, { username: '0000002', decision: 'approve' });
    const response = await oauth.protectedResourceRequest(
      flow.tokens?.access_token ?? '', 'GET', new URL(`${setup.config.issuer}/api/kyc/v1/customer`), undefined, undefined,
      { DPoP: flow.dpop, ...insecure },
    );
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['birthDate', 'customerNumber', 'idDocument', 'kycMethod', 'kycStatus', 'kycVerifiedAt']);
  });

  it('refuses release for a customer whose KYC is not verified', async () => {
    const username = EDGE_CASES.find((e) => e.key === 'kyc-not-verified')?.usernameA ?? '';
    const flow = await runConsentFlow(setup, 'openid kyc:read', release, { username, decision: 'approve' });
    const response = await oauth.protectedResourceRequest(
      flow.tokens?.access_token ?? '', 'GET', new URL(`${setup.config.issuer}/api/kyc/v1/customer`), undefined, undefined,
      { DPoP: flow.dpop, ...insecure },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ errorCode: 'KYC_NOT_VERIFIED' });
  });

  it('redirects with error=access_denied and iss when the customer denies', async () => {
    const flow = await runConsentFlow(setup, 'openid kyc:read', release, { username: '0000003', decision: 'deny' });

    expect(flow.callback.origin + flow.callback.pathname).toBe(setup.config.redirectUri);
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('iss')).toBe(setup.config.issuer);
  });

  describe('pages', () => {
    async function loginPage(details: unknown[] | undefined): Promise<{ browser: BankBrowser; page: BankPage }> {
      const { authorizationUrl } = await pushAuthorization(setup, 'openid kyc:read', details);
      const browser = new BankBrowser();
      const page = await browser.navigate(authorizationUrl);
      if (page instanceof URL) throw new Error('expected the login page');
      return { browser, page };
    }

    async function submitLogin(browser: BankBrowser, page: BankPage, password: string): Promise<BankPage | URL> {
      const action = formAction(page.html, 'login') ?? '';
      return browser.navigate(new URL(action, page.url), { method: 'POST', form: { username: '0000004', password } });
    }

    it('re-renders the login form with one neutral error for a wrong password', async () => {
      const { browser, page } = await loginPage([release]);

      const again = await submitLogin(browser, page, 'wrong');

      expect(again).not.toBeInstanceOf(URL);
      const html = (again as BankPage).html;
      expect(html).toContain('<form id="login"');
      expect(html).toContain('お客さま番号またはパスワードが正しくありません');
    });

    it('shows the enterprise, the purpose string and each claim on the consent page, escaped', async () => {
      const hostile: KycRelease = { ...release, enterprise: { id: 'ent_x1', name: '<b>Evil & Co</b>' }, purpose: 'p<script>1</script>', claims: ['birthdate', 'address'] };
      const { browser, page } = await loginPage([hostile]);

      const consent = (await submitLogin(browser, page, 'password')) as BankPage;

      expect(consent.html).toContain('<form id="consent"');
      expect(consent.html).toContain('&lt;b&gt;Evil &amp; Co&lt;/b&gt;');
      expect(consent.html).toContain('p&lt;script&gt;1&lt;/script&gt;');
      expect(consent.html).not.toContain('<script>');
      expect(consent.html).toContain('data-claim="birthdate"');
      expect(consent.html).toContain('data-claim="address"');
      expect(consent.html).not.toContain('data-claim="family_name"');
      expect(consent.html).toContain('name="decision" value="approve"');
      expect(consent.html).toContain('name="decision" value="deny"');
    });

    it('refuses a request without kyc_release details with error=invalid_request', async () => {
      const { authorizationUrl } = await pushAuthorization(setup, 'openid kyc:read', undefined);

      const callback = await new BankBrowser().authorize(authorizationUrl, { username: '0000005', password: 'password', decision: 'approve' });

      expect(callback.searchParams.get('error')).toBe('invalid_request');
    });
  });

  describe('authorization server policy', () => {
    it('rejects authorization_details outside the kyc_release shape at PAR', async () => {
      const bad = [{ ...release, claims: ['email'] }];

      await expect(pushAuthorization(setup, 'openid kyc:read', bad)).rejects.toMatchObject({ error: 'invalid_authorization_details' });
    });

    it('requires PAR', async () => {
      const url = new URL(`${setup.config.issuer}/auth`);
      url.search = new URLSearchParams({ client_id: 'kyc-broker', response_type: 'code', scope: 'openid', redirect_uri: setup.config.redirectUri }).toString();

      const response = await fetch(url, { redirect: 'manual' });

      expect([302, 303, 400]).toContain(response.status);
      expect(response.headers.get('location') ?? '').not.toContain('code=');
    });
  });

  describe('test controls', () => {
    const control = async (body: unknown): Promise<Response> =>
      fetch(`${setup.config.issuer}/__control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const kyc = async (): Promise<Response> => fetch(`${setup.config.issuer}/api/kyc/v1/customer`);

    it('enforces rate_limit_rps with 429, Retry-After and RATE_LIMITED, and counts per second', async () => {
      await control({ reset: true, rate_limit_rps: 1 });

      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const response = await kyc();
        statuses.push(response.status);
        if (response.status === 429) {
          expect(response.headers.get('retry-after')).toBe('1');
          expect(await response.json()).toMatchObject({ errorCode: 'RATE_LIMITED' });
        }
      }
      const stats = (await (await fetch(`${setup.config.issuer}/__control/stats`)).json()) as Record<string, number>;

      expect(statuses).toContain(429);
      expect(stats).toMatchObject({ max_served_in_any_second: 1 });
      expect((stats['served_total'] ?? 0) + (stats['rejected_rate_limited_total'] ?? 0)).toBe(3);
      await control({ reset: true });
    });

    it('answers 503 MAINTENANCE with Retry-After in maintenance', async () => {
      await control({ maintenance: true });

      const response = await kyc();

      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeTruthy();
      expect(await response.json()).toMatchObject({ errorCode: 'MAINTENANCE' });
      await control({ reset: true });
    });

    it('injects latency, errors and malformed payloads into KYC API calls', async () => {
      const flow = await runConsentFlow(setup, 'openid kyc:read', release, { username: '0000007', decision: 'approve' });
      const call = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
        const response = await oauth.protectedResourceRequest(
          flow.tokens?.access_token ?? '', 'GET', new URL(`${setup.config.issuer}/api/kyc/v1/customer`), undefined, undefined,
          { DPoP: flow.dpop, ...insecure },
        );
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };

      await control({ reset: true, error_rate: 1 });
      expect(await call()).toMatchObject({ status: 500, body: { errorCode: 'INTERNAL_ERROR' } });
      await control({ reset: true, malformed_rate: 1, latency_ms: 50 });
      const started = Date.now();
      const malformed = await call();
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(malformed).toMatchObject({ status: 200, body: { birthDate: '1980-13-45' } });
      await control({ reset: true });
    });

    it('validates control input', async () => {
      expect((await control({ error_rate: 2 })).status).toBe(400);
      expect((await control({ unknown: 1 })).status).toBe(400);
    });

    it('lists customers with paging', async () => {
      const body = (await (await fetch(`${setup.config.issuer}/__control/customers?limit=2&offset=20`)).json()) as { data: Array<{ username: string; person_ref: string }>; total: number };

      expect(body.total).toBeGreaterThanOrEqual(1000);
      expect(body.data.map((c) => c.username)).toEqual(['0000021', '0000022']);
      expect(body.data[0]?.person_ref).toBe('p-000021');
    });

    it('does not exist without BANK_CONTROL=1', async () => {
      const app = await createBankAApp({ ...setup.config, controlEnabled: false });
      const server = app.getHttpServer() as Server;
      try {
        await request(server).get('/__control/stats').expect(404);
        await request(server).post('/__control').send({ reset: true }).expect(404);
      } finally {
        await app.close();
      }
    });
  });
});
