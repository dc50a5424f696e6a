import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CLAIMS, call, consentAtBank, customersOf, newTenant, newVerification, operator, REDIRECT_URI, type Tenant } from '../support/api.js';
import { BOOTSTRAP_KEY, startStack, type Stack } from '../support/stack.js';

/**
 * Every route the running broker serves × every kind of caller → the status it must answer. The
 * routes come from the application's own router, so a new route without a row here fails the suite
 * (OWASP API1 object level, API3 property level, API5 function level, API9 inventory).
 */
type Principal = 'none' | 'bogus' | 'own' | 'other' | 'suspended' | 'auditor' | 'operator';
const PRINCIPALS: readonly Principal[] = ['none', 'bogus', 'own', 'other', 'suspended', 'auditor', 'operator'];
type Audience = 'public' | 'enterprise' | 'auditor' | 'operator';

interface Fixture {
  own: Tenant;
  other: Tenant;
  suspended: Tenant;
  auditorKey: string;
  /** The owning tenant's verifications: one pending, one authorized. */
  pending: string;
  authorized: string;
  /** The tree size of a signed checkpoint. */
  checkpointSize: number;
  /** An enterprise, contract and key the operator's writes may change. */
  spare: { enterpriseId: string; contractId: string; keyId: string };
}

interface Row {
  readonly audience: Audience;
  /** The concrete request (the path with the owning tenant's objects, a body). */
  readonly request: (f: Fixture) => { path: string; body?: unknown };
  /** The status for the principal the route is for (every principal, for a public route). */
  readonly ok: number;
  /** The status another tenant gets on an enterprise route (404 for objects, `ok` for its own collections). */
  readonly other?: number;
}

const good = { bank_id: 'bank-a', redirect_uri: REDIRECT_URI, claims: ALL_CLAIMS, purpose: 'account_opening' };

/** Keyed by `METHOD /path/:param` as the router names it. */
const MATRIX: Record<string, Row> = {
  // Enterprise: its own objects; another tenant's are not found.
  'POST /v1/verifications': { audience: 'enterprise', request: () => ({ path: '/v1/verifications', body: good }), ok: 201, other: 201 },
  'GET /v1/verifications/:id': { audience: 'enterprise', request: (f) => ({ path: `/v1/verifications/${f.pending}` }), ok: 200, other: 404 },
  'DELETE /v1/verifications/:id': { audience: 'enterprise', request: (f) => ({ path: `/v1/verifications/${f.pending}` }), ok: 409, other: 404 },
  'GET /v1/verifications/:id/identity': { audience: 'enterprise', request: (f) => ({ path: `/v1/verifications/${f.authorized}/identity` }), ok: 200, other: 404 },
  'GET /v1/distributions': { audience: 'enterprise', request: () => ({ path: '/v1/distributions' }), ok: 200, other: 200 },
  'GET /v1/banks': { audience: 'enterprise', request: () => ({ path: '/v1/banks' }), ok: 200, other: 200 },
  // Auditors.
  'GET /v1/audit/export': { audience: 'auditor', request: () => ({ path: '/v1/audit/export?format=ndjson' }), ok: 200 },
  'GET /v1/audit/stats': { audience: 'auditor', request: () => ({ path: '/v1/audit/stats' }), ok: 200 },
  'GET /v1/audit/entries': { audience: 'auditor', request: () => ({ path: '/v1/audit/entries' }), ok: 200 },
  'GET /v1/audit/entries/:seq': { audience: 'auditor', request: () => ({ path: '/v1/audit/entries/0' }), ok: 200 },
  'GET /v1/audit/checkpoints/latest': { audience: 'auditor', request: () => ({ path: '/v1/audit/checkpoints/latest' }), ok: 200 },
  'GET /v1/audit/checkpoints/:treeSize': { audience: 'auditor', request: (f) => ({ path: `/v1/audit/checkpoints/${f.checkpointSize}` }), ok: 200 },
  'GET /v1/audit/checkpoints': { audience: 'auditor', request: () => ({ path: '/v1/audit/checkpoints' }), ok: 200 },
  'POST /v1/audit/checkpoints': { audience: 'auditor', request: () => ({ path: '/v1/audit/checkpoints' }), ok: 201 },
  'GET /v1/audit/proofs/inclusion': { audience: 'auditor', request: () => ({ path: '/v1/audit/proofs/inclusion?seq=0&tree_size=1' }), ok: 200 },
  'GET /v1/audit/proofs/consistency': { audience: 'auditor', request: () => ({ path: '/v1/audit/proofs/consistency?from=1&to=1' }), ok: 200 },
  // Operators.
  'GET /v1/admin/webhook-deliveries': { audience: 'operator', request: () => ({ path: '/v1/admin/webhook-deliveries' }), ok: 200 },
  'POST /v1/admin/webhook-deliveries/:id/retry': { audience: 'operator', request: () => ({ path: `/v1/admin/webhook-deliveries/evt_${'0'.repeat(32)}/retry` }), ok: 404 },
  'POST /v1/admin/enterprises': { audience: 'operator', request: () => ({ path: '/v1/admin/enterprises', body: { name: 'Matrix Co', redirect_uris: [REDIRECT_URI] } }), ok: 201 },
  'GET /v1/admin/enterprises': { audience: 'operator', request: () => ({ path: '/v1/admin/enterprises' }), ok: 200 },
  'PATCH /v1/admin/enterprises/:id': { audience: 'operator', request: (f) => ({ path: `/v1/admin/enterprises/${f.spare.enterpriseId}`, body: { redirect_uris: [REDIRECT_URI] } }), ok: 200 },
  'POST /v1/admin/enterprises/:id/webhook-secret/rotate': { audience: 'operator', request: (f) => ({ path: `/v1/admin/enterprises/${f.spare.enterpriseId}/webhook-secret/rotate` }), ok: 201 },
  'POST /v1/admin/enterprises/:id/api-keys': { audience: 'operator', request: (f) => ({ path: `/v1/admin/enterprises/${f.spare.enterpriseId}/api-keys` }), ok: 201 },
  'POST /v1/admin/api-keys': { audience: 'operator', request: () => ({ path: '/v1/admin/api-keys', body: { role: 'auditor' } }), ok: 201 },
  'DELETE /v1/admin/api-keys/:id': { audience: 'operator', request: (f) => ({ path: `/v1/admin/api-keys/${f.spare.keyId}` }), ok: 204 },
  'POST /v1/admin/contracts': {
    audience: 'operator',
    request: (f) => ({ path: '/v1/admin/contracts', body: { enterprise_id: f.spare.enterpriseId, bank_id: 'bank-b', claims: ['birthdate'], purposes: ['age_check'], mode: 'full' } }),
    ok: 201,
  },
  'GET /v1/admin/contracts': { audience: 'operator', request: () => ({ path: '/v1/admin/contracts' }), ok: 200 },
  'PATCH /v1/admin/contracts/:id': { audience: 'operator', request: (f) => ({ path: `/v1/admin/contracts/${f.spare.contractId}`, body: { rate_limit_rps: 50 } }), ok: 200 },
  'GET /v1/admin/banks': { audience: 'operator', request: () => ({ path: '/v1/admin/banks' }), ok: 200 },
  'PATCH /v1/admin/banks/:id': { audience: 'operator', request: () => ({ path: '/v1/admin/banks/bank-b', body: { status: 'open' } }), ok: 200 },
  // Public: the same answer whatever key (if any) comes with the request.
  'GET /v1/verifications/:id/authorize': { audience: 'public', request: (f) => ({ path: `/v1/verifications/${f.pending}/authorize` }), ok: 302 },
  'GET /v1/oauth/callback': { audience: 'public', request: () => ({ path: '/v1/oauth/callback' }), ok: 400 },
  'GET /healthz': { audience: 'public', request: () => ({ path: '/healthz' }), ok: 200 },
  'GET /readyz': { audience: 'public', request: () => ({ path: '/readyz' }), ok: 200 },
  'GET /.well-known/jwks.json': { audience: 'public', request: () => ({ path: '/.well-known/jwks.json' }), ok: 200 },
  'GET /metrics': { audience: 'public', request: () => ({ path: '/metrics' }), ok: 200 },
  'GET /openapi.json': { audience: 'public', request: () => ({ path: '/openapi.json' }), ok: 200 },
  'GET /docs': { audience: 'public', request: () => ({ path: '/docs' }), ok: 200 },
  'GET /docs/init.js': { audience: 'public', request: () => ({ path: '/docs/init.js' }), ok: 200 },
  'GET /docs/assets/:file': { audience: 'public', request: () => ({ path: '/docs/assets/swagger-ui.css' }), ok: 200 },
  'GET /audit': { audience: 'public', request: () => ({ path: '/audit' }), ok: 301 },
  'GET /audit/app.js': { audience: 'public', request: () => ({ path: '/audit/app.js' }), ok: 200 },
  'GET /audit/app.css': { audience: 'public', request: () => ({ path: '/audit/app.css' }), ok: 200 },
};

/** What each caller must get from a route for `audience` (the route's own status where it may pass). */
function expected(row: Row, who: Principal): number {
  if (row.audience === 'public') return row.ok;
  if (who === 'none' || who === 'bogus') return 401;
  if (row.audience === 'enterprise') {
    if (who === 'own') return row.ok;
    if (who === 'other') return row.other ?? 404;
    return 403;
  }
  return who === row.audience ? row.ok : 403;
}

/** The routes the application serves, as its Express router holds them. */
function routesOf(app: INestApplication): string[] {
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
  }
  const express = app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const out = new Set<string>();
  for (const layer of express.router.stack) {
    if (layer.route === undefined) continue;
    // Nest's route-scoped middleware (body parsing, metrics, draining) sits on a catch-all route for every method.
    if (layer.route.path === '{/*splat}' || layer.route.path === '/*path') continue;
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.add(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return [...out].sort();
}

let stack: Stack;
let fixture: Fixture;

/** One request; the body parsed when it is JSON, else kept as text. */
async function send(method: string, path: string, key: string | undefined, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${stack.broker}${path}`, {
    method,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, body: /json/.test(res.headers.get('content-type') ?? '') && !path.includes('format=ndjson') ? (JSON.parse(text) as unknown) : text };
}

beforeAll(async () => {
  stack = await startStack();
  const own = await newTenant(stack);
  const other = await newTenant(stack);
  const suspended = await newTenant(stack);
  const auditorKey = String((await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' })).body['key']);
  const username = (await customersOf(stack.bankA, 100)).find((c) => c.record['kycStatus'] === 'VERIFIED')?.username ?? '';
  const pending = String((await newVerification(stack, own))['id']);
  const v = await newVerification(stack, own);
  const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), username, 'approve');
  expect((await browser.get(callbackUrl)).status).toBe(302);
  expect((await operator(stack, 'PATCH', `/v1/admin/enterprises/${suspended.id}`, { status: 'suspended' })).status).toBe(200);
  const spareTenant = await newTenant(stack);
  const spareKey = await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' });
  const checkpoint = await call(stack, 'POST', '/v1/audit/checkpoints', auditorKey);
  expect(checkpoint.status).toBe(201);
  fixture = {
    checkpointSize: Number(checkpoint.body['tree_size']),
    own,
    other,
    suspended,
    auditorKey,
    pending,
    authorized: String(v['id']),
    spare: { enterpriseId: spareTenant.id, contractId: String(spareTenant.contractId), keyId: String(spareKey.body['id']) },
  };
}, 120_000);

afterAll(async () => {
  await stack.close();
});

const keyOf = (who: Principal): string | undefined =>
  ({
    none: undefined,
    bogus: `kyck_${'x'.repeat(40)}`,
    own: fixture.own.key,
    other: fixture.other.key,
    suspended: fixture.suspended.key,
    auditor: fixture.auditorKey,
    operator: BOOTSTRAP_KEY,
  })[who];

describe('the authorization matrix', () => {
  it('has one row for every route the broker serves, and no row for a route it does not', () => {
    const app = stack.brokers[0];
    if (app === undefined) throw new Error('no broker');
    const served = routesOf(app);
    expect(served.length).toBeGreaterThan(30);
    expect(served.filter((r) => MATRIX[r] === undefined), 'routes without a row').toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !served.includes(r)), 'rows without a route').toEqual([]);
  });

  it.each(Object.entries(MATRIX))('%s answers each caller as it must', async (route, row) => {
    const method = route.split(' ')[0] ?? 'GET';
    // The callers the route refuses go first, so a write runs once, by the caller it is for.
    const order = [...PRINCIPALS].sort((a, b) => Number(expected(row, a) < 400) - Number(expected(row, b) < 400));
    const seen: Partial<Record<Principal, number>> = {};
    for (const who of order) {
      const { path, body } = row.request(fixture);
      const res = await send(method, path, keyOf(who), body);
      seen[who] = res.status;
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        // A refusal leaks nothing of the owner's objects.
        expect(JSON.stringify(res.body)).not.toContain(fixture.own.id);
      }
      if (who === 'other' && row.audience === 'enterprise' && res.status < 300) {
        expect(JSON.stringify(res.body), 'another tenant sees the owner\'s data').not.toMatch(new RegExp(`${fixture.pending}|${fixture.authorized}|${fixture.own.id}`));
      }
    }
    expect(seen).toEqual(Object.fromEntries(PRINCIPALS.map((who) => [who, expected(row, who)])));
  });
});

describe('property level', () => {
  it.each([
    ['enterprise_id', { enterprise_id: 'ent_' + 'f'.repeat(32) }],
    ['status', { status: 'authorized' }],
    ['mode', { mode: 'full' }],
    ['contract_id', { contract_id: 'ctr_' + 'f'.repeat(32) }],
  ])('an enterprise cannot set %s on a verification (mass assignment)', async (field, extra) => {
    const res = await call(stack, 'POST', '/v1/verifications', fixture.own.key, { ...good, ...extra });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(field);
  });

  it("an enterprise's view of its verification carries no operator-only or secret field", async () => {
    const res = await call(stack, 'GET', `/v1/verifications/${fixture.authorized}`, fixture.own.key);
    expect(res.status).toBe(200);
    const allowed = ['id', 'status', 'bank_id', 'claims', 'purpose', 'mode', 'created_at', 'expires_at', 'authorized_at', 'access_expires_at', 'ended_at', 'error'];
    expect(Object.keys(res.body).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(JSON.stringify(res.body)).not.toMatch(/tokens|sealed|subject_ref|enterprise_id|contract_id|v[12]\./);
  });

  it("operators' enterprise views never show a webhook secret again", async () => {
    const list = await operator<{ data: Record<string, unknown>[] }>(stack, 'GET', '/v1/admin/enterprises');
    expect(list.body.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(list.body)).not.toMatch(/whsec_|secret/);
  });
});
