import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchOnlyIdentitySchema } from '@kyc/common-schema';
import { normalizeBankARecord, normalizeBankBBody, type BankBIdentityBody } from '@kyc/bank-adapters';
import { foldPlaceName, matchClaims } from '@kyc/identity-normalize';
import { ALL_CLAIMS, call, consentAtBank, control, customersOf, newTenant, newVerification, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

type Customer = Awaited<ReturnType<typeof customersOf>>[number];

let stack: Stack;
let full: Tenant;
let matcher: Tenant;
let bankB: Customer[];

beforeAll(async () => {
  stack = await startStack();
  full = await newTenant(stack, { bank: 'bank-b' });
  matcher = await newTenant(stack, { bank: 'bank-b', mode: 'match_only' });
  bankB = await customersOf(stack.bankB, 300);
});

afterAll(async () => {
  await stack.close();
});

const bodyOf = (c: Customer): BankBIdentityBody => (c.record as { body: BankBIdentityBody }).body;
const isOk = (c: Customer): boolean => (c.record as { header: { resultCode: string } }).header.resultCode === '0000';

async function authorize(tenant: Tenant, username: string, extra: Record<string, unknown> = {}): Promise<string> {
  const v = await newVerification(stack, tenant, { bank_id: 'bank-b', ...extra });
  const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
  const back = await browser.get(callbackUrl);
  expect(new URL(back.headers.get('location') ?? '').searchParams.get('status')).toBe('authorized');
  return String(v['id']);
}

describe('Tsubame Bank end to end', () => {
  it('releases the canonical identity from its era dates, half-width kana and split address', async () => {
    const customer = bankB.find(isOk);
    if (customer === undefined) throw new Error('no verified bank B customer');
    const id = await authorize(full, customer.username);
    const identity = await call<{ verified_claims: { claims: Record<string, unknown>; verification: Record<string, unknown> } }>(
      stack, 'GET', `/v1/verifications/${id}/identity`, full.key,
    );
    expect(identity.status, JSON.stringify(identity.body)).toBe(200);
    const expected = normalizeBankBBody(bodyOf(customer));
    expect(identity.body.verified_claims.claims).toEqual(expected.claims);
    expect(identity.body.verified_claims.claims['birthdate']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(String(identity.body.verified_claims.claims['family_name#ja-Kana-JP'])).toMatch(/^[\u30A0-\u30FF]+$/);
    expect(identity.body.verified_claims.verification['time']).toMatch(/T15:00:00\.000Z$/);
  });

  it('yields the same canonical claims for one person at both banks where their data agree', async () => {
    const bankA = await customersOf(stack.bankA, 300);
    const pairs = bankB
      .filter(isOk)
      .map((b) => [bankA.find((a) => a.person_ref === b.person_ref && a.record['kycStatus'] === 'VERIFIED'), b] as const)
      .filter((p): p is readonly [Customer, Customer] => p[0] !== undefined);
    expect(pairs.length).toBeGreaterThan(10);
    let compared = 0;
    for (const [a, b] of pairs) {
      const ca = normalizeBankARecord(a.record).claims;
      const cb = normalizeBankBBody(bodyOf(b)).claims;
      expect(cb.birthdate).toBe(ca.birthdate);
      // Spellings may differ by design (髙/高, ヶ/ケ); folded for comparison they must agree.
      const both = (Object.keys(ca) as (keyof typeof ca)[]).filter((k) => cb[k] !== undefined && k !== 'address');
      const verdict = matchClaims(ca, cb, both);
      for (const claim of both) expect(verdict[claim], `${a.username}/${b.username} ${claim}`).toEqual({ result: 'match', score: 100 });
      if (ca.address?.postal_code !== undefined && cb.address?.postal_code !== undefined) {
        expect(cb.address.region).toBe(ca.address.region);
        expect(foldPlaceName(cb.address.locality ?? '')).toBe(foldPlaceName(ca.address.locality ?? ''));
        expect(foldPlaceName(cb.address.street_address ?? '')).toBe(foldPlaceName(ca.address.street_address ?? ''));
        expect(foldPlaceName(cb.address.formatted ?? '')).toBe(foldPlaceName(ca.address.formatted ?? ''));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('answers a match-only contract with match results and no claims', async () => {
    const customer = bankB.find(isOk);
    if (customer === undefined) throw new Error('no verified bank B customer');
    const truth = normalizeBankBBody(bodyOf(customer)).claims;
    const id = await authorize(matcher, customer.username, {
      claims: ['family_name', 'birthdate', 'address'],
      applicant: { family_name: truth.family_name, birthdate: '1900-01-01', address: { formatted: truth.address?.formatted } },
    });
    const res = await call(stack, 'GET', `/v1/verifications/${id}/identity`, matcher.key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['bank_id', 'ledger_entry', 'match', 'subject', 'verification', 'verification_id']);
    matchOnlyIdentitySchema.parse(res.body);
    expect(res.body['match']).toEqual({
      family_name: { result: 'match', score: 100 },
      birthdate: { result: 'mismatch', score: 0 },
      address: { result: 'match', score: 100 },
    });
    expect(JSON.stringify(res.body)).not.toContain(String(truth.family_name));
    const row = await stack.prisma.ledgerEntry.findFirst({ where: { verificationId: id, type: 'match.released' } });
    const entry = JSON.parse(row?.entry ?? '{}') as Record<string, unknown>;
    expect(entry['commitments']).toBeUndefined();
    expect(entry['claims']).toEqual(['family_name', 'birthdate', 'address']);
  });

  it('adds match results beside the claims when a full release had applicant data', async () => {
    const customer = bankB.filter(isOk)[3];
    if (customer === undefined) throw new Error('no verified bank B customer');
    const truth = normalizeBankBBody(bodyOf(customer)).claims;
    const kanaInHiragana = String(truth['family_name#ja-Kana-JP']).replace(/[\u30A1-\u30F6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
    const id = await authorize(full, customer.username, {
      claims: ['family_name#ja-Kana-JP', 'birthdate'],
      applicant: { 'family_name#ja-Kana-JP': kanaInHiragana, birthdate: String(truth.birthdate) },
    });
    const res = await call<{ match: unknown; verified_claims: { claims: Record<string, unknown> }; disclosures: Record<string, string> }>(
      stack, 'GET', `/v1/verifications/${id}/identity`, full.key,
    );
    expect(res.status).toBe(200);
    expect(res.body.match).toEqual({ 'family_name#ja-Kana-JP': { result: 'match', score: 100 }, birthdate: { result: 'match', score: 100 } });
    expect(Object.keys(res.body.verified_claims.claims).sort()).toEqual(['birthdate', 'family_name#ja-Kana-JP']);
    expect(Object.keys(res.body.disclosures).sort()).toEqual(['birthdate', 'family_name#ja-Kana-JP']);
  });

  it('refuses a match-only verification without applicant data', async () => {
    const res = await call(stack, 'POST', '/v1/verifications', matcher.key, {
      bank_id: 'bank-b', redirect_uri: 'http://127.0.0.1:5555/callback', claims: ALL_CLAIMS, purpose: 'account_opening',
    });
    expect(res.status).toBe(400);
    expect(res.body['code']).toBe('VALIDATION_FAILED');
  });

  it('maps E210 (KYC not verified) to 422 and records the failed release', async () => {
    const unverified = bankB.find((c) => (c.record as { header: { resultCode: string } }).header.resultCode === 'E210');
    expect(unverified, 'bank B seeds an unverified customer').toBeDefined();
    const id = await authorize(full, unverified?.username ?? '');
    const res = await call(stack, 'GET', `/v1/verifications/${id}/identity`, full.key);
    expect(res.status).toBe(422);
    expect(res.body['code']).toBe('IDENTITY_NOT_VERIFIED');
  });

  it('never passes on a payload that does not normalize: 502 and a release.failed entry', async () => {
    const customer = bankB.filter(isOk)[1];
    const id = await authorize(full, customer?.username ?? '');
    await control(stack.bankB, { malformed_rate: 1 });
    try {
      const res = await call(stack, 'GET', `/v1/verifications/${id}/identity`, full.key);
      expect(res.status).toBe(502);
      expect(res.body['code']).toBe('BANK_PAYLOAD_INVALID');
      expect(JSON.stringify(res.body)).not.toMatch(/seinengappi|jusho|shimei/);
    } finally {
      await control(stack.bankB, { reset: true });
    }
    const rows = await stack.prisma.ledgerEntry.findMany({ where: { verificationId: id }, orderBy: { seq: 'asc' } });
    expect(JSON.parse(rows.at(-1)?.entry ?? '{}')).toMatchObject({ type: 'release.failed', error_code: 'BANK_PAYLOAD_INVALID' });
  });

  it('maps maintenance (E503) to 503 BANK_UNAVAILABLE with Retry-After', async () => {
    const customer = bankB.filter(isOk)[2];
    const id = await authorize(full, customer?.username ?? '');
    await control(stack.bankB, { maintenance: true });
    try {
      const res = await call(stack, 'GET', `/v1/verifications/${id}/identity`, full.key);
      expect(res.status).toBe(503);
      expect(res.body['code']).toBe('BANK_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await control(stack.bankB, { reset: true });
    }
  });
});

describe('the seeded populations', () => {
  it('normalize completely at both banks (every verified customer, every edge case)', async () => {
    for (const [bank, normalize] of [
      [stack.bankA, (c: Customer) => normalizeBankARecord(c.record)],
      [stack.bankB, (c: Customer) => normalizeBankBBody(bodyOf(c))],
    ] as const) {
      const all: Customer[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await customersOf(bank, 500, offset);
        all.push(...page);
        if (page.length < 500) break;
      }
      expect(all.length).toBeGreaterThanOrEqual(1000);
      const verified = all.filter((c) => c.record['kycStatus'] === 'VERIFIED' || (c.record['header'] as { resultCode?: string } | undefined)?.resultCode === '0000');
      const failures = verified.flatMap((c) => {
        try {
          normalize(c);
          return [];
        } catch (err) {
          return [`${c.username}: ${err instanceof Error ? err.message : 'error'}`];
        }
      });
      expect(failures).toEqual([]);
    }
  });
});
