import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeBankARecord } from '@kyc/bank-adapters';
import { createdVerificationSchema, identitySchema, verificationSchema } from '@kyc/common-schema';
import { commitment } from '@kyc/ledger';
import { ALL_CLAIMS, call, consentAtBank, customersOf, newTenant, newVerification, operator, REDIRECT_URI, type Tenant } from '../support/api.js';
import { CookieBrowser } from '../support/browser.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let tenant: Tenant;
let customers: Awaited<ReturnType<typeof customersOf>>;

beforeAll(async () => {
  stack = await startStack();
  tenant = await newTenant(stack);
  customers = await customersOf(stack.bankA, 200);
});

afterAll(async () => {
  await stack.close();
});

const verified = (): (typeof customers)[number] => {
  const c = customers.find((x) => x.record['kycStatus'] === 'VERIFIED');
  if (c === undefined) throw new Error('no verified customer seeded');
  return c;
};

async function ledgerRows(verificationId: string): Promise<{ seq: bigint; type: string; entry: string; leafHash: string }[]> {
  return stack.prisma.ledgerEntry.findMany({ where: { verificationId }, orderBy: { seq: 'asc' } });
}

describe('consent and release through Kaede Bank', () => {
  it('releases the approved identity in the common schema and records it before answering', async () => {
    const customer = verified();
    const v = await newVerification(stack, tenant);
    expect(v).toMatchObject({ status: 'pending', bank_id: 'bank-a', claims: ALL_CLAIMS, purpose: 'account_opening', mode: 'full' });
    createdVerificationSchema.parse(v);

    const { callbackUrl, browser, bankAuthorizeUrl } = await consentAtBank(stack, String(v['authorization_url']), customer.username, 'approve');
    expect([...new URL(bankAuthorizeUrl).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const back = await browser.get(callbackUrl);
    expect(back.status).toBe(302);
    const target = new URL(back.headers.get('location') ?? '');
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT_URI);
    expect(Object.fromEntries(target.searchParams)).toEqual({ verification_id: v['id'], state: 'client-state-1', status: 'authorized' });

    const status = await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key);
    expect(status.body).toMatchObject({ status: 'authorized' });
    expect(status.body['authorized_at']).toBeTypeOf('string');
    verificationSchema.parse(status.body);

    const identity = await call<{
      subject: string;
      verified_claims: { verification: Record<string, unknown>; claims: Record<string, unknown> };
      disclosures: Record<string, string>;
      ledger_entry: { seq: number; leaf_hash: string };
    }>(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, tenant.key);
    expect(identity.status, JSON.stringify(identity.body)).toBe(200);
    identitySchema.parse(identity.body);
    const expected = normalizeBankARecord(customer.record);
    expect(identity.body.verified_claims.claims).toEqual(expected.claims);
    expect(identity.body.verified_claims.claims['birthdate']).toBe(customer.record['birthDate']);
    expect(identity.body.verified_claims.verification).toMatchObject({ trust_framework: 'jp_aml', time: expected.verification.time });
    expect(identity.body.subject).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(identity.body.subject).not.toContain(customer.username);

    const rows = await ledgerRows(String(v['id']));
    expect(rows.map((r) => r.type)).toEqual(['consent.granted', 'identity.released']);
    const released = rows[1];
    expect(Number(released?.seq)).toBe(identity.body.ledger_entry.seq);
    expect(released?.leafHash).toBe(identity.body.ledger_entry.leaf_hash);
    const entry = JSON.parse(released?.entry ?? '{}') as { commitments: Record<string, string>; claims: string[]; subject_ref: string };
    expect(entry.claims.sort()).toEqual(Object.keys(identity.body.verified_claims.claims).sort());
    for (const [name, salt] of Object.entries(identity.body.disclosures)) {
      expect(commitment(salt, name, identity.body.verified_claims.claims[name])).toBe(entry.commitments[name]);
    }
    expect(entry.subject_ref).toMatch(/^[0-9a-f]{64}$/);
    for (const row of rows) {
      const text = row.entry;
      expect(text).not.toContain(customer.username);
      for (const value of Object.values(expected.claims) as (string | Record<string, string>)[]) {
        for (const piece of typeof value === 'string' ? [value] : Object.values(value)) {
          if (typeof piece === 'string' && piece !== 'JP') expect(text).not.toContain(piece);
        }
      }
    }
  });

  it('sends the customer back with error=access_denied when they deny, and records the denial', async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), verified().username, 'deny');
    const back = await browser.get(callbackUrl);
    expect(back.status).toBe(302);
    const target = new URL(back.headers.get('location') ?? '');
    expect(target.searchParams.get('error')).toBe('access_denied');
    expect(target.searchParams.get('verification_id')).toBe(v['id']);
    expect(target.searchParams.get('state')).toBe('client-state-1');
    const status = await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key);
    expect(status.body['status']).toBe('denied');
    expect((await ledgerRows(String(v['id']))).map((r) => r.type)).toEqual(['consent.denied']);
    const identity = await call(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, tenant.key);
    expect(identity.status).toBe(409);
    expect(identity.body['code']).toBe('CONSENT_REQUIRED');
  });

  it("lets nothing frame the bank's login, consent and error pages", async () => {
    const v = await newVerification(stack, tenant);
    const browser = new CookieBrowser();
    const login = await browser.follow((await browser.get(String(v['authorization_url']))).headers.get('location') ?? '');
    const loginHtml = await login.response.text();
    const afterLogin = await browser.submit(login.url, loginHtml, 'login', { username: verified().username, password: 'password' });
    const consent = await browser.follow(new URL(afterLogin.headers.get('location') ?? '', login.url).toString());
    const error = await fetch(`${stack.bankA}/auth?client_id=kyc-broker&request_uri=urn:ietf:params:oauth:request_uri:unknown`);
    for (const [page, res] of [['login', login.response], ['consent', consent.response], ['error', error]] as const) {
      expect(res.headers.get('content-security-policy'), page).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), page).toBe('DENY');
    }
    expect(error.status).toBe(400);
  });

  it('refuses a callback whose state was altered, without redirecting', async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), verified().username, 'approve');
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state') ?? ''}x`);
    const res = await browser.get(tampered.toString());
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('location')).toBeNull();
    expect(((await res.json()) as { code: string }).code).toBe('INVALID_CALLBACK');
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key)).body['status']).toBe('pending');
  });

  it('never lets the same callback succeed twice', async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), verified().username, 'approve');
    const first = await browser.get(callbackUrl);
    expect(first.status).toBe(302);
    const second = await browser.get(callbackUrl);
    expect(second.status).toBe(400);
    expect(((await second.json()) as { code: string }).code).toBe('INVALID_CALLBACK');
    expect((await ledgerRows(String(v['id']))).map((r) => r.type)).toEqual(['consent.granted']);
  });

  it('fails the verification when the callback carries another issuer (mix-up defence)', async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), verified().username, 'approve');
    const mixed = new URL(callbackUrl);
    expect(mixed.searchParams.get('iss')).toBe(stack.bankA);
    mixed.searchParams.set('iss', 'http://127.0.0.1:14999');
    const res = await browser.get(mixed.toString());
    expect(res.status).toBe(302);
    const target = new URL(res.headers.get('location') ?? '');
    expect(target.searchParams.get('error')).toBe('server_error');
    expect(target.searchParams.get('status')).toBeNull();
    const status = await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key);
    expect(status.body['status']).toBe('failed');
    expect((await ledgerRows(String(v['id']))).map((r) => r.type)).toEqual(['consent.failed']);
    const again = await browser.get(callbackUrl);
    expect(again.status).toBe(400);
  });

  it('answers 422 for a customer whose KYC the bank has not verified, and records the failed release', async () => {
    const unverified = customers.find((x) => x.record['kycStatus'] !== 'VERIFIED');
    expect(unverified, 'the bank seeds an unverified customer').toBeDefined();
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), unverified?.username ?? '', 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    const identity = await call(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, tenant.key);
    expect(identity.status).toBe(422);
    expect(identity.body['code']).toBe('IDENTITY_NOT_VERIFIED');
    const rows = await ledgerRows(String(v['id']));
    expect(rows.map((r) => r.type)).toEqual(['consent.granted', 'release.failed']);
    expect(JSON.parse(rows[1]?.entry ?? '{}')).toMatchObject({ outcome: 'failed', error_code: 'IDENTITY_NOT_VERIFIED' });
  });

  it('refuses an enterprise without a contract for the bank before any bank call', async () => {
    const stranger = await newTenant(stack, { bank: null });
    const res = await call(stack, 'POST', '/v1/verifications', stranger.key, {
      bank_id: 'bank-a', redirect_uri: REDIRECT_URI, claims: ['birthdate'], purpose: 'account_opening',
    });
    expect(res.status).toBe(403);
    expect(res.body['code']).toBe('CONTRACT_NOT_FOUND');
  });

  it('refuses claims and purposes outside the contract', async () => {
    const narrow = await newTenant(stack, { claims: ['birthdate'], purposes: ['age_verification'] });
    const claims = await call(stack, 'POST', '/v1/verifications', narrow.key, {
      bank_id: 'bank-a', redirect_uri: REDIRECT_URI, claims: ['birthdate', 'address'], purpose: 'age_verification',
    });
    expect(claims.status).toBe(403);
    expect(claims.body['code']).toBe('CLAIMS_NOT_PERMITTED');
    const purpose = await call(stack, 'POST', '/v1/verifications', narrow.key, {
      bank_id: 'bank-a', redirect_uri: REDIRECT_URI, claims: ['birthdate'], purpose: 'marketing',
    });
    expect(purpose.status).toBe(403);
    expect(purpose.body['code']).toBe('PURPOSE_NOT_PERMITTED');
  });

  it("hides another enterprise's verification as 404", async () => {
    const v = await newVerification(stack, tenant);
    const other = await newTenant(stack);
    for (const path of [`/v1/verifications/${String(v['id'])}`, `/v1/verifications/${String(v['id'])}/identity`]) {
      const res = await call(stack, 'GET', path, other.key);
      expect(res.status).toBe(404);
      expect(res.body['code']).toBe('NOT_FOUND');
    }
    const del = await call(stack, 'DELETE', `/v1/verifications/${String(v['id'])}`, other.key);
    expect(del.status).toBe(404);
  });

  it('does not start the consent when the contract ended after the verification was created', async () => {
    const shortLived = await newTenant(stack);
    const v = await newVerification(stack, shortLived);
    await operator(stack, 'PATCH', `/v1/admin/contracts/${String(shortLived.contractId)}`, { status: 'ended' });
    const res = await fetch(String(v['authorization_url']), { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('CONTRACT_NOT_FOUND');
  });

  it('answers identity requests before consent with 409 CONSENT_REQUIRED', async () => {
    const v = await newVerification(stack, tenant);
    const res = await call(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, tenant.key);
    expect(res.status).toBe(409);
    expect(res.body['code']).toBe('CONSENT_REQUIRED');
  });

  it('revokes an authorized verification: tokens dropped, revocation recorded, identity refused', async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), verified().username, 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    const del = await call(stack, 'DELETE', `/v1/verifications/${String(v['id'])}`, tenant.key);
    expect(del.status).toBe(204);
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key)).body['status']).toBe('revoked');
    const row = await stack.prisma.verification.findUnique({ where: { id: String(v['id']) } });
    expect(row?.tokensSealed).toBeNull();
    expect((await ledgerRows(String(v['id']))).map((r) => r.type)).toEqual(['consent.granted', 'verification.revoked']);
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, tenant.key)).status).toBe(409);
  });

  it('deletes the sealed tokens once access expires, without anyone asking', async () => {
    const v = await newVerification(stack, tenant, { applicant: { birthdate: '1980-04-15' } });
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), verified().username, 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    const id = String(v['id']);
    const before = await stack.prisma.verification.findUnique({ where: { id } });
    expect(before?.tokensSealed).toMatch(/^v2\./);
    expect(before?.applicantSealed).toMatch(/^v2\./);
    await stack.prisma.verification.update({ where: { id }, data: { accessExpiresAt: new Date(Date.now() - 1000) } });
    await expect.poll(async () => (await stack.prisma.verification.findUnique({ where: { id } }))?.status, { timeout: 3000 }).toBe('expired');
    const after = await stack.prisma.verification.findUnique({ where: { id } });
    expect(after?.tokensSealed).toBeNull();
    expect(after?.applicantSealed).toBeNull();
    const identity = await call(stack, 'GET', `/v1/verifications/${id}/identity`, tenant.key);
    expect(identity.status).toBe(409);
    expect(identity.body['code']).toBe('CONSENT_EXPIRED');
  });

  it('keeps ledger seq gap-free from 0', async () => {
    const rows = await stack.prisma.ledgerEntry.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i));
  });
});
