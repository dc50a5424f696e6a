import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_CASES, type KycRelease } from '@kyc/mock-bank-kit';
import { insecure, runConsentFlow, testBankSetup, type TestBroker } from '../../../libs/mock-bank-kit/test/test-broker.js';
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
});
