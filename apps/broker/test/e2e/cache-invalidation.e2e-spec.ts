import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CLAIMS, call, newTenant, operator, REDIRECT_URI, type JsonResponse, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

// SPEC §4: a revoked key or an ended contract stops on every instance within 1 s (ADR 0013).
const WITHIN_MS = 1_000;

let stack: Stack;
/** The same stack seen through the second broker instance (same database and Redis, own caches). */
let second: Stack;

beforeAll(async () => {
  stack = await startStack({ ENTERPRISE_RATE_LIMIT_RPS: '1000' });
  second = { ...stack, broker: await stack.addBroker(13020) };
});

afterAll(async () => {
  await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'open' });
  await stack.close();
});

const listBanks = (on: Stack, key: string): Promise<JsonResponse> => call(on, 'GET', '/v1/banks', key);
const createVerification = (on: Stack, tenant: Tenant): Promise<JsonResponse> =>
  call(on, 'POST', '/v1/verifications', tenant.key, {
    bank_id: 'bank-a',
    redirect_uri: REDIRECT_URI,
    claims: ALL_CLAIMS,
    purpose: 'account_opening',
    state: 'client-state-1',
  });

/** Polls `probe` until `done` holds; answers how long that took, failing after the deadline. */
async function within(ms: number, probe: () => Promise<JsonResponse>, done: (res: JsonResponse) => boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await probe();
    const elapsed = Date.now() - started;
    if (done(res)) return elapsed;
    if (elapsed > ms) throw new Error(`still ${res.status} ${JSON.stringify(res.body)} after ${elapsed} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('caches across broker instances', () => {
  it('a key revoked through instance 1 is refused by instance 2 within 1 s', async () => {
    const tenant = await newTenant(stack, { bank: null });
    const issued = await operator(stack, 'POST', `/v1/admin/enterprises/${tenant.id}/api-keys`);
    const key = String(issued.body['key']);
    expect((await listBanks(stack, key)).status).toBe(200);
    expect((await listBanks(second, key)).status).toBe(200);
    expect((await listBanks(second, key)).status).toBe(200);

    expect((await operator(stack, 'DELETE', `/v1/admin/api-keys/${String(issued.body['id'])}`)).status).toBe(204);

    expect((await listBanks(stack, key)).status).toBe(401);
    const elapsed = await within(WITHIN_MS, () => listBanks(second, key), (res) => res.status === 401);
    expect(elapsed).toBeLessThanOrEqual(WITHIN_MS);
    expect((await listBanks(second, tenant.key)).status).toBe(200);
  });

  it('a contract ended through instance 1 stops authorizations and new verifications on instance 2 within 1 s', async () => {
    const tenant = await newTenant(stack);
    const pending = await createVerification(second, tenant);
    expect(pending.status).toBe(201);
    expect((await createVerification(stack, tenant)).status).toBe(201);
    const authorize = (): Promise<JsonResponse> => call(second, 'GET', `/v1/verifications/${String(pending.body['id'])}/authorize`, undefined);
    expect((await createVerification(second, tenant)).status).toBe(201);

    const ended = await operator(stack, 'PATCH', `/v1/admin/contracts/${tenant.contractId ?? ''}`, { status: 'ended' });
    expect(ended.status).toBe(200);

    const elapsed = await within(WITHIN_MS, () => createVerification(second, tenant), (res) => res.body['code'] === 'CONTRACT_NOT_FOUND');
    expect(elapsed).toBeLessThanOrEqual(WITHIN_MS);
    const refused = await authorize();
    expect([refused.status, refused.body['code']]).toEqual([403, 'CONTRACT_NOT_FOUND']);
  });

  it('a bank closed through instance 1 is closed on instance 2 within 1 s, and open again after reopening', async () => {
    const tenant = await newTenant(stack);
    expect((await createVerification(second, tenant)).status).toBe(201);
    expect((await createVerification(second, tenant)).status).toBe(201);

    expect((await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'closed' })).status).toBe(200);
    try {
      const elapsed = await within(WITHIN_MS, () => createVerification(second, tenant), (res) => res.body['code'] === 'BANK_CLOSED');
      expect(elapsed).toBeLessThanOrEqual(WITHIN_MS);
      expect((await createVerification(second, tenant)).status).toBe(503);
    } finally {
      expect((await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'open' })).status).toBe(200);
    }
    await within(WITHIN_MS, () => createVerification(second, tenant), (res) => res.status === 201);
  });
});
