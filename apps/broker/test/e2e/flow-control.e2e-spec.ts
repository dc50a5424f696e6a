import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, consentAtBank, control, customersOf, newTenant, newVerification, operator, REDIRECT_URI, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let secondBroker: string;
let tenant: Tenant;
let authorized: string[];

interface BankStats {
  served_total: number;
  rejected_rate_limited_total: number;
  max_served_in_any_second: number;
}

const stats = async (): Promise<BankStats> => (await (await fetch(`${stack.bankA}/__control/stats`)).json()) as BankStats;

beforeAll(async () => {
  stack = await startStack({ ENTERPRISE_RATE_LIMIT_RPS: '1000', CIRCUIT_COOLDOWN_MS: '700', CIRCUIT_FAILURE_THRESHOLD: '3', BANK_WAIT_BUDGET_MS: '500', BANK_RATE_WINDOW_MARGIN_MS: '100' });
  secondBroker = await stack.addBroker(13001);
  tenant = await newTenant(stack);
  const customers = (await customersOf(stack.bankA, 40)).filter((c) => c.record['kycStatus'] === 'VERIFIED');
  authorized = [];
  for (const customer of customers.slice(0, 4)) {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer.username, 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    authorized.push(String(v['id']));
  }
});

afterAll(async () => {
  await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 50, max_concurrency: 16, status: 'open' });
  await control(stack.bankA, { reset: true });
  await stack.close();
});

async function identity(base: string, id: string): Promise<{ status: number; code?: string; retryAfter: string | null }> {
  const res = await fetch(`${base}/v1/verifications/${id}/identity`, { headers: { authorization: `Bearer ${tenant.key}` } });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, ...(body.code === undefined ? {} : { code: body.code }), retryAfter: res.headers.get('retry-after') };
}

describe('outbound flow control', () => {
  it('never lets the bank see more than its limit, across two broker instances at 3x the load', async () => {
    const limit = 8;
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: limit, max_concurrency: 16 });
    await control(stack.bankA, { reset: true, rate_limit_rps: limit });
    const ledgerBefore = await stack.prisma.ledgerEntry.count();
    const seconds = 3;
    const outcomes: { status: number; code?: string; retryAfter: string | null }[] = [];
    const pending: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < limit * 3 * seconds; i++) {
      const base = i % 2 === 0 ? stack.broker : secondBroker;
      const id = authorized[i % authorized.length] ?? '';
      pending.push(identity(base, id).then((o) => void outcomes.push(o)));
      await new Promise((r) => setTimeout(r, Math.max(0, started + ((i + 1) * 1000) / (limit * 3) - Date.now())));
    }
    await Promise.all(pending);
    const bank = await stats();
    expect(bank.rejected_rate_limited_total).toBe(0);
    expect(bank.max_served_in_any_second).toBeLessThanOrEqual(limit);
    const ok = outcomes.filter((o) => o.status === 200).length;
    const shed = outcomes.filter((o) => o.status === 503);
    expect(ok + shed.length).toBe(outcomes.length);
    expect(ok).toBe(bank.served_total);
    expect(ok).toBeGreaterThanOrEqual(limit * (seconds - 1));
    expect(shed.length).toBeGreaterThan(0);
    for (const s of shed) {
      expect(s.code).toBe('BANK_BUSY');
      expect(Number(s.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Shed requests never reached the bank: they are metrics, not ledger entries.
    expect((await stack.prisma.ledgerEntry.count()) - ledgerBefore).toBe(ok);
  });

  it("pauses a bank that answers 429 instead of hammering it", async () => {
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 100, max_concurrency: 16 });
    await control(stack.bankA, { reset: true, rate_limit_rps: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    const first = await Promise.all(authorized.map((id) => identity(stack.broker, id)));
    expect(first.filter((o) => o.status === 200).length).toBeGreaterThanOrEqual(1);
    const busy = first.filter((o) => o.status !== 200);
    expect(busy.length).toBeGreaterThan(0);
    for (const o of busy) expect(o.code).toBe('BANK_BUSY');
    const rejectedAfterBurst = (await stats()).rejected_rate_limited_total;
    // Within the pause the broker sheds or waits by itself; the bank sees no further excess calls.
    await Promise.all(authorized.map((id) => identity(stack.broker, id)));
    expect((await stats()).rejected_rate_limited_total - rejectedAfterBurst).toBeLessThanOrEqual(1);
    await control(stack.bankA, { reset: true });
  });

  it('opens the circuit after repeated failures, refuses without calling the bank, then probes and closes', async () => {
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 100, max_concurrency: 16 });
    await control(stack.bankA, { reset: true, error_rate: 1 });
    await new Promise((r) => setTimeout(r, 1100)); // let the previous test's pause lapse
    const id = authorized[0] ?? '';
    for (let i = 0; i < 3; i++) expect((await identity(stack.broker, id)).code).toBe('BANK_ERROR');
    const servedWhenOpened = (await stats()).served_total;
    const refused = await identity(secondBroker, id);
    expect(refused).toMatchObject({ status: 503, code: 'BANK_UNAVAILABLE' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await stats()).served_total).toBe(servedWhenOpened);
    // The open circuit shows in /v1/banks on every instance, and leaves the instances ready.
    const listed = await call<{ data: { id: string; availability: string }[] }>({ ...stack, broker: secondBroker }, 'GET', '/v1/banks', tenant.key);
    expect(listed.body.data.find((b) => b.id === 'bank-a')?.availability).toBe('unavailable');
    expect((await fetch(`${secondBroker}/readyz`)).status).toBe(200);

    await control(stack.bankA, { reset: true });
    await new Promise((r) => setTimeout(r, 800));
    expect((await identity(stack.broker, id)).status).toBe(200);
    expect((await identity(secondBroker, id)).status).toBe(200);
    const back = await call<{ data: { id: string; availability: string }[] }>(stack, 'GET', '/v1/banks', tenant.key);
    expect(back.body.data.find((b) => b.id === 'bank-a')?.availability).toBe('available');
  });

  it('hands a freed lease to a caller queued on either instance at once, not when the lease would expire', async () => {
    // One call at a time, 100 ms each; leases would expire only after BANK_TIMEOUT_MS + 1 s, far
    // beyond the 500 ms budget: every queued caller is served only if a release wakes it.
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 100, max_concurrency: 1 });
    await control(stack.bankA, { reset: true, latency_ms: 100 });
    await new Promise((r) => setTimeout(r, 1100)); // let earlier tests' pauses and open circuits lapse
    const started = Date.now();
    const done: number[] = [];
    const outcomes = await Promise.all(
      [stack.broker, secondBroker, stack.broker, secondBroker].map((base, i) =>
        identity(base, authorized[i] ?? '').then((o) => (done.push(Date.now() - started), o)),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200, 200]);
    done.sort((a, b) => a - b);
    // Served one after another (never two at once), each soon after the one before it ended.
    for (let i = 1; i < done.length; i++) {
      const gap = (done[i] ?? 0) - (done[i - 1] ?? 0);
      expect(gap).toBeGreaterThanOrEqual(80);
      expect(gap).toBeLessThan(250);
    }
    await control(stack.bankA, { reset: true });
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { max_rps: 100, max_concurrency: 16 });
  });

  it('answers 503 BANK_CLOSED for a closed bank, before any bank call', async () => {
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'closed' });
    await control(stack.bankA, { reset: true });
    const res = await identity(stack.broker, authorized[0] ?? '');
    expect(res).toMatchObject({ status: 503, code: 'BANK_CLOSED' });
    expect((await stats()).served_total).toBe(0);
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'open' });
  });
});

describe('inbound rate limits', () => {
  it("holds a contract's rate_limit_rps across broker instances, with RateLimit headers", async () => {
    const limited = await newTenant(stack);
    await operator(stack, 'PATCH', `/v1/admin/contracts/${String(limited.contractId)}`, { rate_limit_rps: 3 });
    const body = { bank_id: 'bank-a', redirect_uri: REDIRECT_URI, claims: ['birthdate'], purpose: 'account_opening' };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${i % 2 === 0 ? stack.broker : secondBroker}/v1/verifications`, {
          method: 'POST',
          headers: { authorization: `Bearer ${limited.key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const limitedAnswers = results.filter((r) => r.status === 429);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length).toBeLessThanOrEqual(6); // 3 per second, the burst may straddle one boundary
    expect(limitedAnswers.length).toBeGreaterThan(0);
    for (const r of limitedAnswers) {
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(r.headers.get('ratelimit-limit')).toBe('3');
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('ratelimit-reset')).toMatch(/^[1-9]\d*$/);
      expect(((await r.json()) as { code: string }).code).toBe('RATE_LIMITED');
    }
  });

  it('tells every enterprise response its remaining budget', async () => {
    const res = await call(stack, 'GET', '/v1/banks', tenant.key);
    expect(res.headers.get('ratelimit-limit')).toBe('1000');
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(1000);
  });
});
