import { expect } from 'vitest';
import { CookieBrowser } from './browser.js';
import { BOOTSTRAP_KEY, type Stack } from './stack.js';

export const REDIRECT_URI = 'http://127.0.0.1:5555/callback';
export const ALL_CLAIMS = ['family_name', 'given_name', 'family_name#ja-Kana-JP', 'given_name#ja-Kana-JP', 'birthdate', 'address'];

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = Record<string, unknown>>(
  stack: Stack,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(`${stack.broker}${path}`, {
    method,
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? {} : JSON.parse(text)) as T };
}

export const operator = <T = Record<string, unknown>>(stack: Stack, method: string, path: string, body?: unknown): Promise<JsonResponse<T>> =>
  call<T>(stack, method, path, BOOTSTRAP_KEY, body);

export interface Tenant {
  id: string;
  key: string;
  contractId?: string;
}

/** A new enterprise with a key, and (unless `bank` is null) an active contract with that bank. */
export async function newTenant(
  stack: Stack,
  options: { bank?: string | null; mode?: 'full' | 'match_only'; claims?: string[]; purposes?: string[] } = {},
): Promise<Tenant> {
  const ent = await operator(stack, 'POST', '/v1/admin/enterprises', { name: `Test Co ${Math.random().toString(36).slice(2, 8)}`, redirect_uris: [REDIRECT_URI] });
  expect(ent.status).toBe(201);
  const key = await operator(stack, 'POST', `/v1/admin/enterprises/${String(ent.body['id'])}/api-keys`);
  expect(key.status).toBe(201);
  const tenant: Tenant = { id: String(ent.body['id']), key: String(key.body['key']) };
  const bank = options.bank === undefined ? 'bank-a' : options.bank;
  if (bank !== null) {
    const contract = await operator(stack, 'POST', '/v1/admin/contracts', {
      enterprise_id: tenant.id,
      bank_id: bank,
      claims: options.claims ?? ALL_CLAIMS,
      purposes: options.purposes ?? ['account_opening'],
      mode: options.mode ?? 'full',
    });
    expect(contract.status).toBe(201);
    tenant.contractId = String(contract.body['id']);
  }
  return tenant;
}

/** Sets a bank's fault injection (`POST /__control`). */
export async function control(bankUrl: string, settings: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${bankUrl}/__control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(res.ok).toBe(true);
}

export async function newVerification(stack: Stack, tenant: Tenant, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await call(stack, 'POST', '/v1/verifications', tenant.key, {
    bank_id: 'bank-a',
    redirect_uri: REDIRECT_URI,
    claims: ALL_CLAIMS,
    purpose: 'account_opening',
    state: 'client-state-1',
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/**
 * Drives the customer's browser from the broker's authorization URL through the bank's login and
 * consent pages, and stops at the bank's redirect to the broker callback (returned, not followed).
 */
export async function consentAtBank(
  stack: Stack,
  authorizationUrl: string,
  username: string,
  decision: 'approve' | 'deny',
  browser = new CookieBrowser(),
): Promise<{ callbackUrl: string; browser: CookieBrowser; bankAuthorizeUrl: string }> {
  const start = await browser.get(authorizationUrl);
  expect(start.status).toBe(302);
  const bankAuthorizeUrl = start.headers.get('location') ?? '';
  const login = await browser.follow(bankAuthorizeUrl);
  const loginHtml = await login.response.text();
  expect(loginHtml).toContain('id="login"');
  const afterLogin = await browser.submit(login.url, loginHtml, 'login', { username, password: 'password' });
  const consent = await browser.follow(new URL(afterLogin.headers.get('location') ?? '', login.url).toString());
  const consentHtml = await consent.response.text();
  expect(consentHtml).toContain('id="consent"');
  const afterConsent = await browser.submit(consent.url, consentHtml, 'consent', { decision });
  const callbackPrefix = `${stack.broker}/v1/oauth/callback`;
  const end = await browser.follow(new URL(afterConsent.headers.get('location') ?? '', consent.url).toString(), callbackPrefix);
  expect(end.url.startsWith(callbackPrefix), end.url).toBe(true);
  return { callbackUrl: end.url, browser, bankAuthorizeUrl };
}

export async function customersOf(bankUrl: string, limit = 50, offset = 0): Promise<{ username: string; person_ref: string; record: Record<string, unknown> }[]> {
  const res = await fetch(`${bankUrl}/__control/customers?limit=${limit}&offset=${offset}`);
  const body = (await res.json()) as { data: { username: string; person_ref: string; record: Record<string, unknown> }[] };
  return body.data;
}
