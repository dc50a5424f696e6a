import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sealingKeyId } from '@kyc/platform';
import { call, consentAtBank, control, customersOf, newTenant, newVerification, operator, type JsonResponse, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let username: string;

beforeAll(async () => {
  stack = await startStack();
  const customer = (await customersOf(stack.bankA, 200)).find((c) => c.record['kycStatus'] === 'VERIFIED');
  if (customer === undefined) throw new Error('no verified customer seeded');
  username = customer.username;
});

afterEach(async () => {
  await control(stack.bankA, { reset: true });
});

afterAll(async () => {
  await stack.close();
});

/** A verification the customer approved at bank A, ready for release. */
async function authorized(tenant: Tenant): Promise<string> {
  const v = await newVerification(stack, tenant);
  const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
  const back = await browser.get(callbackUrl);
  expect(back.status).toBe(302);
  expect(new URL(back.headers.get('location') ?? '').searchParams.get('status')).toBe('authorized');
  return String(v['id']);
}

async function ledgerTypes(verificationId: string): Promise<{ type: string; error_code?: string; claims?: string[] }[]> {
  const rows = await stack.prisma.ledgerEntry.findMany({ where: { verificationId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => JSON.parse(r.entry) as { type: string; error_code?: string; claims?: string[] });
}

/**
 * Starts a release while bank A answers slowly, does `meanwhile` once the broker is waiting on the
 * bank, and answers the release's response.
 */
async function releaseWhile(tenant: Tenant, id: string, meanwhile: () => Promise<void>): Promise<JsonResponse> {
  await control(stack.bankA, { latency_ms: 1_500 });
  const release = call(stack, 'GET', `/v1/verifications/${id}/identity`, tenant.key);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await meanwhile();
  return release;
}

describe('a release is bound to the contract the consent was given under', () => {
  it('refuses once that contract ended, even when a new contract of the same pair exists', async () => {
    const tenant = await newTenant(stack, { mode: 'full' });
    const id = await authorized(tenant);
    const ended = await operator(stack, 'PATCH', `/v1/admin/contracts/${String(tenant.contractId)}`, { status: 'ended' });
    expect(ended.status).toBe(200);
    const replacement = await operator(stack, 'POST', '/v1/admin/contracts', {
      enterprise_id: tenant.id,
      bank_id: 'bank-a',
      claims: ['family_name', 'birthdate'],
      purposes: ['account_opening'],
      mode: 'match_only',
    });
    expect(replacement.status).toBe(201);

    const res = await call(stack, 'GET', `/v1/verifications/${id}/identity`, tenant.key);

    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body).toMatchObject({ code: 'CONTRACT_NOT_FOUND' });
    expect(res.body).not.toHaveProperty('verified_claims');
    expect((await ledgerTypes(id)).map((e) => e.type)).toEqual(['consent.granted']);
  });

  it('releases only what the contract permits now when it narrowed after consent', async () => {
    const tenant = await newTenant(stack, { mode: 'full' });
    const id = await authorized(tenant);
    const narrowed = await operator(stack, 'PATCH', `/v1/admin/contracts/${String(tenant.contractId)}`, { claims: ['family_name', 'given_name'] });
    expect(narrowed.status).toBe(200);

    const res = await call<{ verified_claims: { claims: Record<string, unknown> } }>(stack, 'GET', `/v1/verifications/${id}/identity`, tenant.key);

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.verified_claims.claims).sort()).toEqual(['family_name', 'given_name']);
  });
});

describe('what changes while the bank answers is checked again where the release is recorded', () => {
  it('a revocation during the bank call means no release, and the ledger says why', async () => {
    const tenant = await newTenant(stack);
    const id = await authorized(tenant);

    const res = await releaseWhile(tenant, id, async () => {
      expect((await call(stack, 'DELETE', `/v1/verifications/${id}`, tenant.key)).status).toBe(204);
    });

    // Whichever notices first refuses: the bank (the token was revoked there) or the ledger's check.
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    const code = String(res.body['code']);
    expect(['CONSENT_REQUIRED', 'CONSENT_EXPIRED']).toContain(code);
    expect(res.body).not.toHaveProperty('verified_claims');
    const entries = await ledgerTypes(id);
    expect(entries.map((e) => e.type)).not.toContain('identity.released');
    const failed = entries.find((e) => e.type === 'release.failed');
    expect(failed).toMatchObject({ error_code: code });
    expect(failed).not.toHaveProperty('claims');
  });

  it('a suspension during the bank call means no release', async () => {
    const tenant = await newTenant(stack);
    const id = await authorized(tenant);

    const res = await releaseWhile(tenant, id, async () => {
      expect((await operator(stack, 'PATCH', `/v1/admin/enterprises/${tenant.id}`, { status: 'suspended' })).status).toBe(200);
    });

    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body).toMatchObject({ code: 'ENTERPRISE_SUSPENDED' });
    const entries = await ledgerTypes(id);
    expect(entries.map((e) => e.type)).toEqual(['consent.granted', 'release.failed']);
    expect(entries[1]).toMatchObject({ error_code: 'ENTERPRISE_SUSPENDED' });
  });

  it('a contract ended during the bank call means no release', async () => {
    const tenant = await newTenant(stack, { mode: 'match_only' });
    const v = await newVerification(stack, tenant, { applicant: { family_name: '山田', birthdate: '1990-01-01' } });
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    const id = String(v['id']);

    const res = await releaseWhile(tenant, id, async () => {
      expect((await operator(stack, 'PATCH', `/v1/admin/contracts/${String(tenant.contractId)}`, { status: 'ended' })).status).toBe(200);
    });

    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body).toMatchObject({ code: 'CONTRACT_NOT_FOUND' });
    expect(res.body).not.toHaveProperty('match');
    const entries = await ledgerTypes(id);
    expect(entries.map((e) => e.type)).toEqual(['consent.granted', 'release.failed']);
    expect(entries[1]).toMatchObject({ error_code: 'CONTRACT_NOT_FOUND' });
  });
});

describe('the sealing key rotates', () => {
  it('an instance with a new key opens the tokens the old key sealed, and seals new ones under the new key id', async () => {
    const tenant = await newTenant(stack);
    const before = await authorized(tenant);
    const oldKey = stack.config.keys.tokenEncryptionKey;
    const newKey = randomBytes(32);
    const rotated = await stack.addBroker(13041, { keys: { ...stack.config.keys, tokenEncryptionKey: newKey, tokenEncryptionPreviousKeys: [oldKey] } });
    const sealedBefore = (await stack.prisma.verification.findUnique({ where: { id: before } }))?.tokensSealed ?? '';
    expect(sealedBefore.split('.')[1]).toBe(sealingKeyId(oldKey));

    const res = await fetch(`${rotated}/v1/verifications/${before}/identity`, { headers: { authorization: `Bearer ${tenant.key}` } });
    expect(res.status).toBe(200);

    // The bank sends the customer back to the public URL; here the rotated instance takes the callback.
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
    const atRotated = new URL(callbackUrl);
    atRotated.port = new URL(rotated).port;
    expect((await browser.get(atRotated.toString())).status).toBe(302);
    const sealedAfter = (await stack.prisma.verification.findUnique({ where: { id: String(v['id']) } }))?.tokensSealed ?? '';
    expect(sealedAfter.split('.')[1]).toBe(sealingKeyId(newKey));
  });
});
