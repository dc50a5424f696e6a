import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieBrowser } from '../support/browser.js';
import { call, consentAtBank, customersOf, newTenant, newVerification, operator, type Tenant } from '../support/api.js';
import { BOOTSTRAP_KEY, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let tenant: Tenant;
let username: string;
/** A second broker instance with low inbound limits, sharing Redis (so counters are shared too). */
let limited: string;

const LIMITS = { staffRps: 3, addressPerMinute: 12, authorizePerMinute: 4, authFailuresPerMinute: 3 };

beforeAll(async () => {
  stack = await startStack();
  // Counters and blocks of an earlier run (within its minute) must not count here.
  const redis = new Redis(stack.config.redisUrl);
  const keys = await redis.keys('kyc:thr:*');
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  tenant = await newTenant(stack);
  const customer = (await customersOf(stack.bankA, 200)).find((c) => c.record['kycStatus'] === 'VERIFIED');
  if (customer === undefined) throw new Error('no verified customer seeded');
  username = customer.username;
  limited = await stack.addBroker(13040, { inbound: LIMITS, enterpriseRateLimitRps: 4 });
});

afterAll(async () => {
  await stack.close();
});

const requestUriOf = (location: string | null): string | null => new URL(location ?? 'http://x/').searchParams.get('request_uri');

describe('the callback is bound to the browser that started the consent', () => {
  it('refuses the callback URL replayed from another browser, and lets the right browser finish', async () => {
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');

    const elsewhere = await new CookieBrowser().get(callbackUrl);
    expect(elsewhere.status).toBe(400);
    const problem = (await elsewhere.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'INVALID_CALLBACK' });
    expect(String(problem['detail'])).toContain('another browser');
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key)).body).toMatchObject({ status: 'pending' });

    const own = await browser.get(callbackUrl);
    expect(own.status).toBe(302);
    expect(new URL(own.headers.get('location') ?? '').searchParams.get('status')).toBe('authorized');
  });

  it('sets the binding cookie HttpOnly and SameSite=Lax, scoped to the API', async () => {
    const v = await newVerification(stack, tenant);
    const res = await fetch(String(v['authorization_url']), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kyc_consent='));
    expect(cookie).toMatch(/^kyc_consent=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/v1\//);
  });
});

describe('the public authorization URL', () => {
  it('gives the same browser the same pending PAR again, and another browser its own', async () => {
    const v = await newVerification(stack, tenant);
    const url = String(v['authorization_url']);
    const browser = new CookieBrowser();
    const first = await browser.get(url);
    const again = await browser.get(url);
    const other = await new CookieBrowser().get(url);
    expect([first.status, again.status, other.status]).toEqual([302, 302, 302]);
    expect(requestUriOf(again.headers.get('location'))).toBe(requestUriOf(first.headers.get('location')));
    expect(requestUriOf(other.headers.get('location'))).not.toBe(requestUriOf(first.headers.get('location')));
  });

  it('is limited per verification, whoever calls it', async () => {
    const v = await newVerification(stack, tenant);
    const url = new URL(String(v['authorization_url']));
    const target = `${limited}${url.pathname}`;
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.authorizePerMinute + 2; i++) statuses.push((await fetch(target, { redirect: 'manual' })).status);
    expect(statuses.slice(0, LIMITS.authorizePerMinute)).toEqual(Array(LIMITS.authorizePerMinute).fill(302));
    const over = await fetch(target, { redirect: 'manual' });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('ratelimit-limit')).toBe(String(LIMITS.authorizePerMinute));
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await over.json()) as { code: string }).code).toBe('RATE_LIMITED');
    // Another verification is not affected by this one's limit.
    const fresh = await newVerification(stack, tenant);
    expect((await fetch(`${limited}${new URL(String(fresh['authorization_url'])).pathname}`, { redirect: 'manual' })).status).toBe(302);
  });

  it('is limited per client address across verifications and the callback', async () => {
    // This address's earlier requests may already count: send until refused, within the limit plus one.
    let refused: Response | undefined;
    for (let i = 0; i <= LIMITS.addressPerMinute && refused === undefined; i++) {
      const res = await fetch(`${limited}/v1/oauth/callback?state=unknown-${i}&code=x`, { redirect: 'manual' });
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(400);
    }
    expect(refused?.status).toBe(429);
    expect(((await refused?.json()) as { code: string }).code).toBe('RATE_LIMITED');
    const v = await newVerification(stack, tenant);
    expect((await fetch(`${limited}${new URL(String(v['authorization_url'])).pathname}`, { redirect: 'manual' })).status).toBe(429);
  });
});

describe('authenticated limits', () => {
  it('limits an enterprise per second across routes, with RateLimit headers', async () => {
    const own = await newTenant(stack);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${limited}${i % 2 === 0 ? '/v1/banks' : '/v1/distributions'}`, { headers: { authorization: `Bearer ${own.key}` } })));
    const limitedAnswers = results.filter((r) => r.status === 429);
    expect(limitedAnswers.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(4 * 2);
    const ok = results.find((r) => r.status === 200);
    expect(ok?.headers.get('ratelimit-limit')).toBe('4');
    const refused = limitedAnswers[0];
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused?.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  it('limits auditor and operator keys per key', async () => {
    const auditor = String((await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' })).body['key']);
    const calls = (key: string, path: string): Promise<number[]> =>
      Promise.all(Array.from({ length: 8 }, async () => (await fetch(`${limited}${path}`, { headers: { authorization: `Bearer ${key}` } })).status));
    const audits = await calls(auditor, '/v1/audit/checkpoints');
    expect(audits.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(audits.filter((s) => s === 200).length).toBeLessThanOrEqual(LIMITS.staffRps * 2);
    const admins = await calls(BOOTSTRAP_KEY, '/v1/admin/banks');
    expect(admins.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe('unknown API keys per client address', () => {
  const bearer = (key: string): RequestInit => ({ headers: { authorization: `Bearer ${key}` } });

  it('refuses, past the limit, every key the instance does not know yet, before looking it up; keys it knows pass', async () => {
    const known = await newTenant(stack);
    expect((await fetch(`${limited}/v1/banks`, bearer(known.key))).status).toBe(200);
    const unseen = await newTenant(stack);
    const guesses: number[] = [];
    for (let i = 0; i <= LIMITS.authFailuresPerMinute; i++) guesses.push((await fetch(`${limited}/v1/banks`, bearer(`kyck_guess-${'x'.repeat(32)}-${i}`))).status);
    expect(guesses).toEqual(guesses.map(() => 401));
    // Blocked now: a guess and a valid key the instance has not seen get the same 429, so a guess
    // cannot be told from a refusal; the key it already knows is not held up.
    for (const key of [`kyck_guess-${'y'.repeat(32)}`, unseen.key]) {
      const refused = await fetch(`${limited}/v1/banks`, bearer(key));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { code: string }).code).toBe('RATE_LIMITED');
    }
    expect((await fetch(`${limited}/v1/banks`, bearer(known.key))).status).toBe(200);
  });
});
