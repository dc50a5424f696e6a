import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KaedeBankAdapter, type BankAdapter, type BankIdentity, type IdentityRequest } from '@kyc/bank-adapters';
import { identitySchema } from '@kyc/common-schema';
import { loadBankConfig } from '@kyc/mock-bank-kit';
import { createBankAApp } from '../../../mock-bank-a/src/app.js';
import { bankAdaptersModule } from '../../src/banks/index.js';
import { call, consentAtBank, customersOf, newTenant, newVerification } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

const THIRD_PORT = 14003;
const THIRD_BANK = 'bank-c';
const THIRD_KIND = 'test-only-v1';
const THIRD_DPOP_KEY = 'bank-c-test';

/**
 * An adapter that exists only in this test: it speaks the Kaede API (the third bank below is another
 * Kaede instance) under a kind of its own and counts its calls, so the test can see that the
 * broker reached it through the bank row rather than through an adapter it already knew.
 */
class TestOnlyAdapter implements BankAdapter {
  readonly kind = THIRD_KIND;
  readonly scope = 'openid kyc:read';
  calls = 0;
  private readonly inner = new KaedeBankAdapter();

  async fetchIdentity(request: IdentityRequest): Promise<BankIdentity> {
    this.calls++;
    return this.inner.fetchIdentity(request);
  }
}

const adapter = new TestOnlyAdapter();
let stack: Stack;
let thirdBank: INestApplication;
const thirdUrl = `http://127.0.0.1:${THIRD_PORT}`;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const dpop = { ...(await exportJWK(privateKey)), kid: THIRD_DPOP_KEY, alg: 'ES256' };
  // The third bank's DPoP key comes from configuration under the id its row names; no code knows it.
  stack = await startStack({ DPOP_JWK_BANK_C_TEST: JSON.stringify(dpop) }, { imports: [bankAdaptersModule([adapter])] });
  thirdBank = await createBankAApp(loadBankConfig('a', { ...stack.env, BANK_A_PORT: String(THIRD_PORT) }));
  await thirdBank.listen(THIRD_PORT, '127.0.0.1');
  // …and the bank itself is a row.
  await stack.prisma.bank.create({
    data: { id: THIRD_BANK, name: 'Third Test Bank', issuer: thirdUrl, adapter: THIRD_KIND, dpopKeyId: THIRD_DPOP_KEY, maxRps: 10, maxConcurrency: 4 },
  });
});

afterAll(async () => {
  (thirdBank?.getHttpServer() as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
  await thirdBank?.close();
  await stack?.close();
});

describe('a third bank added as an adapter module plus a row', () => {
  it('is listed, consented at and released from end to end, through the test-only adapter', async () => {
    expect(stack.config.keys.dpopJwks[THIRD_DPOP_KEY]).toBeDefined();
    const tenant = await newTenant(stack, { bank: THIRD_BANK });
    const banks = await call<{ data: { id: string; name: string }[] }>(stack, 'GET', '/v1/banks', tenant.key);
    expect(banks.body.data.map((b) => b.id)).toEqual([THIRD_BANK]);

    const verification = await newVerification(stack, tenant, { bank_id: THIRD_BANK });
    const customer = (await customersOf(thirdUrl, 30)).find((c) => c.record['kycStatus'] === 'VERIFIED');
    expect(customer).toBeDefined();
    const { callbackUrl, browser, bankAuthorizeUrl } = await consentAtBank(stack, String(verification['authorization_url']), customer?.username ?? '', 'approve');
    expect(bankAuthorizeUrl.startsWith(`${thirdUrl}/`)).toBe(true);
    const back = await browser.get(callbackUrl);
    expect(back.status).toBe(302);
    expect(new URL(back.headers.get('location') ?? '').searchParams.get('status')).toBe('authorized');

    const before = adapter.calls;
    const identity = await call(stack, 'GET', `/v1/verifications/${String(verification['id'])}/identity`, tenant.key);
    expect(identity.status, JSON.stringify(identity.body)).toBe(200);
    expect(adapter.calls).toBe(before + 1);
    const body = identitySchema.parse(identity.body);
    expect(body.bank_id).toBe(THIRD_BANK);
    expect(body.verified_claims.claims.family_name).toBeTruthy();

    const entries = await stack.prisma.ledgerEntry.findMany({ where: { bankId: THIRD_BANK }, orderBy: { seq: 'asc' } });
    expect(entries.map((e) => e.type)).toEqual(['consent.granted', 'identity.released']);
  });

  it('leaves the installed banks as they were', async () => {
    const rows = await stack.prisma.bank.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.id, r.adapter, r.dpopKeyId])).toEqual([
      ['bank-a', 'kaede-v1', 'bank-a'],
      ['bank-b', 'tsubame-v2', 'bank-b'],
      [THIRD_BANK, THIRD_KIND, THIRD_DPOP_KEY],
    ]);
  });
});
