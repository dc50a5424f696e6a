import type { INestApplication } from '@nestjs/common';
import { rm } from 'node:fs/promises';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_CASES, type KycRelease } from '@kyc/mock-bank-kit';
import { insecure, runConsentFlow, submitFirstCheckpoint, testBankSetup, type FlowResult, type TestBroker } from '../../../libs/mock-bank-kit/test/test-broker.js';
import { createBankBApp } from './app.js';

const release: KycRelease = {
  type: 'kyc_release',
  enterprise: { id: 'ent_demo123', name: 'Demo Motors 株式会社' },
  purpose: 'account_opening',
  claims: ['family_name', 'given_name', 'family_name#ja-Kana-JP', 'given_name#ja-Kana-JP', 'birthdate', 'address'],
};
const ALL_FIELDS = ['NAME', 'KANA', 'DOB', 'ADDR', 'KYC'];

describe(createBankBApp.name, () => {
  let setup: TestBroker;
  let sut: INestApplication;

  beforeAll(async () => {
    setup = await testBankSetup('b');
    sut = await createBankBApp(setup.config);
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
    const body = (await res.json()) as { data: Array<{ username: string; record: unknown }> };
    return body.data.find((c) => c.username === username)?.record;
  }

  async function inquire(flow: FlowResult, fields: string[]): Promise<Response> {
    return oauth.protectedResourceRequest(
      flow.tokens?.access_token ?? '', 'POST', new URL(`${setup.config.issuer}/openapi/v2/identity/inquiry`),
      new Headers({ 'content-type': 'application/json' }), JSON.stringify({ fields }), { DPoP: flow.dpop, ...insecure },
    );
  }

  it('runs PAR → login → consent → DPoP-bound token → inquiry API, returning the control record', async () => {
    const flow = await runConsentFlow(setup, 'openid identity', release, { username: 'T10000001', decision: 'approve' });

    expect(flow.callback.searchParams.get('iss')).toBe(setup.config.issuer);
    expect(flow.tokens?.authorization_details).toEqual([release]);
    expect(flow.tokens && oauth.getValidatedIdTokenClaims(flow.tokens)?.sub).toBe('T10000001');
    const response = await inquire(flow, ALL_FIELDS);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(await controlRecord('T10000001'));
  });

  it('answers E210 with HTTP 200 for a customer whose KYC is not verified', async () => {
    const username = EDGE_CASES.find((e) => e.key === 'kyc-not-verified')?.usernameB ?? '';
    const flow = await runConsentFlow(setup, 'openid identity', release, { username, decision: 'approve' });
    const response = await inquire(flow, ALL_FIELDS);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ header: { resultCode: 'E210' } });
  });

  it('redirects with error=access_denied and iss when the customer denies', async () => {
    const flow = await runConsentFlow(setup, 'openid identity', release, { username: 'T10000002', decision: 'deny' });

    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('iss')).toBe(setup.config.issuer);
  });

  it('answers E001 for an invalid fields list', async () => {
    const flow = await runConsentFlow(setup, 'openid identity', release, { username: 'T10000003', decision: 'approve' });

    const response = await inquire(flow, ['NAME', 'PHOTO']);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ header: { resultCode: 'E001' } });
  });

  it('answers HTTP 200 with E429 and header.retryAfter when over rate_limit_rps, and E503 in maintenance', async () => {
    const control = async (body: unknown): Promise<Response> =>
      fetch(`${setup.config.issuer}/__control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const inquiry = async (): Promise<{ status: number; body: { header: { resultCode: string; retryAfter?: number } } }> => {
      const response = await fetch(`${setup.config.issuer}/openapi/v2/identity/inquiry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fields":["DOB"]}' });
      return { status: response.status, body: (await response.json()) as { header: { resultCode: string; retryAfter?: number } } };
    };
    await control({ reset: true, rate_limit_rps: 1 });

    const answers = [await inquiry(), await inquiry(), await inquiry()];
    await control({ reset: true, maintenance: true });
    const maintenance = await inquiry();
    await control({ reset: true });

    const limited = answers.find((a) => a.body.header.resultCode === 'E429');
    expect(limited?.status).toBe(200);
    expect(limited?.body.header.retryAfter).toBe(1);
    expect(maintenance).toMatchObject({ status: 200, body: { header: { resultCode: 'E503' } } });
  });

  it('answers 401 E401 with a DPoP challenge without a token', async () => {
    const response = await fetch(`${setup.config.issuer}/openapi/v2/identity/inquiry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fields":["DOB"]}' });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    expect(await response.json()).toMatchObject({ header: { resultCode: 'E401' } });
  });
});
