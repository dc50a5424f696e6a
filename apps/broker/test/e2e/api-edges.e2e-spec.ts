import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractSchema, createdEnterpriseSchema, problemSchema } from '@kyc/common-schema';
import { canonicalJson } from '@kyc/ledger';
import { ALL_CLAIMS, call, consentAtBank, control, customersOf, newTenant, operator, REDIRECT_URI, type Tenant } from '../support/api.js';
import { drainAndClose, Lifecycle } from '../../src/health/lifecycle.js';
import { ExpirySweeper } from '../../src/verifications/expiry-sweeper.js';
import { BOOTSTRAP_KEY, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let tenant: Tenant;

beforeAll(async () => {
  stack = await startStack();
  tenant = await newTenant(stack);
});

afterAll(async () => {
  await stack.close();
});

const goodBody = { bank_id: 'bank-a', redirect_uri: REDIRECT_URI, claims: ALL_CLAIMS, purpose: 'account_opening' };

async function raw(path: string, init: RequestInit & { key?: string }): Promise<{ status: number; type: string | null; body: Record<string, unknown>; requestId: string | null }> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  const res = await fetch(`${stack.broker}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) as Record<string, unknown>, requestId: res.headers.get('x-request-id') };
}

function expectProblem(res: { status: number; type: string | null; body: Record<string, unknown>; requestId: string | null }, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
  for (const field of ['type', 'title', 'detail', 'instance', 'request_id']) expect(res.body[field]).toBeTypeOf('string');
  expect(res.body['request_id']).toBe(res.requestId);
  expect(JSON.stringify(res.body)).not.toMatch(/at .+\.(js|ts):\d+|prisma|SELECT /i);
  problemSchema.parse(res.body);
}

describe('bad input gets a clear 4xx problem, never a 5xx', () => {
  it('malformed JSON → 400', async () => {
    const res = await raw('/v1/verifications', { method: 'POST', key: tenant.key, headers: { 'content-type': 'application/json' }, body: '{"bank_id": ' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('unknown fields → 400 naming the field', async () => {
    const res = await raw('/v1/verifications', { method: 'POST', key: tenant.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...goodBody, admin: true }) });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(res.body['errors'])).toContain('admin');
  });

  it('wrong field types and unknown claims → 400 with errors', async () => {
    const res = await raw('/v1/verifications', { method: 'POST', key: tenant.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...goodBody, claims: ['religion'] }) });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(Array.isArray(res.body['errors'])).toBe(true);
  });

  it('unregistered redirect_uri → 400 REDIRECT_URI_NOT_REGISTERED', async () => {
    const res = await raw('/v1/verifications', { method: 'POST', key: tenant.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...goodBody, redirect_uri: 'https://evil.example/cb' }) });
    expectProblem(res, 400, 'REDIRECT_URI_NOT_REGISTERED');
  });

  it('wrong content type → 415', async () => {
    const res = await raw('/v1/verifications', { method: 'POST', key: tenant.key, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(goodBody) });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('body over 64 KiB → 413', async () => {
    const res = await raw('/v1/verifications', { method: 'POST', key: tenant.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...goodBody, state: 'x'.repeat(70 * 1024) }) });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('missing or unknown API key → 401; wrong role → 403', async () => {
    expectProblem(await raw('/v1/verifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(goodBody) }), 401, 'UNAUTHENTICATED');
    expectProblem(await raw('/v1/banks', { key: 'kyck_not-a-real-key-000000000000' }), 401, 'UNAUTHENTICATED');
    expectProblem(await raw('/v1/admin/enterprises', { key: tenant.key }), 403, 'FORBIDDEN');
  });

  it('malformed or unknown ids and unknown routes → 404', async () => {
    expectProblem(await raw('/v1/verifications/not-an-id', { key: tenant.key }), 404, 'NOT_FOUND');
    expectProblem(await raw(`/v1/verifications/ver_${'0'.repeat(32)}`, { key: tenant.key }), 404, 'NOT_FOUND');
    expectProblem(await raw('/v1/nothing-here', { key: tenant.key }), 404, 'NOT_FOUND');
    expectProblem(await raw(`/v1/verifications/ver_${'0'.repeat(32)}/authorize`, {}), 404, 'NOT_FOUND');
  });

  it('a callback without state → 400 INVALID_CALLBACK', async () => {
    expectProblem(await raw('/v1/oauth/callback?code=abc', {}), 400, 'INVALID_CALLBACK');
  });

  it('echoes an X-Request-Id that is a UUID and replaces anything else (it would be recorded in the ledger)', async () => {
    const uuid = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
    const mine = await fetch(`${stack.broker}/healthz`, { headers: { 'x-request-id': uuid } });
    expect(mine.headers.get('x-request-id')).toBe(uuid);
    for (const bad of ['bad id <script>', 'trace-0123456789', 'taro.yamada-1990-01-01', '-1-1+cmd|calc', `${uuid}x`]) {
      const res = await fetch(`${stack.broker}/healthz`, { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(id).not.toBe(uuid);
    }
  });
});

describe('idempotent verification creation', () => {
  it('answers the same for the same key and body, 409 for another body', async () => {
    const headers = { 'idempotency-key': `idem-${Date.now()}` };
    const first = await call(stack, 'POST', '/v1/verifications', tenant.key, goodBody, headers);
    const again = await call(stack, 'POST', '/v1/verifications', tenant.key, goodBody, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await call(stack, 'POST', '/v1/verifications', tenant.key, { ...goodBody, purpose: 'other' }, headers);
    expect(other.status).toBe(409);
    expect(other.body['code']).toBe('IDEMPOTENCY_CONFLICT');
  });
});

describe('idempotency records', () => {
  it('keep only a keyed digest of the body, free the key after 24 hours, and go when the verification ends', async () => {
    const key = `idem-life-${Date.now()}`;
    const body = { ...goodBody, applicant: { family_name: '山田', given_name: '太郎', birthdate: '1980-04-15' } };
    const first = await call(stack, 'POST', '/v1/verifications', tenant.key, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const record = await stack.prisma.idempotencyRecord.findUniqueOrThrow({ where: { enterpriseId_key: { enterpriseId: tenant.id, key } } });
    // Not a plain digest of the body, which anyone could confirm by guessing the applicant.
    expect(record.requestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.requestHash).not.toBe(createHash('sha256').update(canonicalJson(body)).digest('hex'));
    expect(JSON.stringify(record.response)).not.toMatch(/山田|1980-04-15/);

    // 24 hours on, the key is free: another body is a new verification, not a conflict.
    await stack.prisma.idempotencyRecord.update({ where: { enterpriseId_key: { enterpriseId: tenant.id, key } }, data: { createdAt: new Date(Date.now() - 25 * 3_600_000) } });
    const later = await call(stack, 'POST', '/v1/verifications', tenant.key, { ...body, state: 'second-try' }, { 'idempotency-key': key });
    expect(later.status).toBe(201);
    expect(later.body['id']).not.toBe(first.body['id']);

    // The record of a verification that ended goes with its personal data (at the next sweep).
    const old = `idem-old-${Date.now()}`;
    await call(stack, 'POST', '/v1/verifications', tenant.key, body, { 'idempotency-key': old });
    await stack.prisma.idempotencyRecord.update({ where: { enterpriseId_key: { enterpriseId: tenant.id, key: old } }, data: { createdAt: new Date(Date.now() - 25 * 3_600_000) } });
    await stack.prisma.verification.update({ where: { id: String(later.body['id']) }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const swept = stack.brokers[0]?.get(ExpirySweeper);
    await swept?.sweep();
    const left = await stack.prisma.idempotencyRecord.findMany({ where: { enterpriseId: tenant.id, key: { in: [key, old] } } });
    expect(left).toEqual([]);
    expect((await stack.prisma.verification.findUniqueOrThrow({ where: { id: String(later.body['id']) } })).applicantSealed).toBeNull();
  });
});

describe('operator setup over the API', () => {
  it('creates an enterprise with the SPEC shape and a once-shown webhook secret', async () => {
    const res = await operator(stack, 'POST', '/v1/admin/enterprises', { name: 'Shape Co', redirect_uris: ['https://shape.example/cb'], webhook_url: 'https://shape.example/hook' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['created_at', 'id', 'name', 'redirect_uris', 'status', 'webhook_secret', 'webhook_url']);
    expect(res.body).toMatchObject({ name: 'Shape Co', status: 'active', redirect_uris: ['https://shape.example/cb'], webhook_url: 'https://shape.example/hook' });
    expect(String(res.body['id'])).toMatch(/^ent_[0-9a-f]{32}$/);
    createdEnterpriseSchema.parse(res.body);
    const list = await operator<{ data: Record<string, unknown>[] }>(stack, 'GET', '/v1/admin/enterprises');
    expect(JSON.stringify(list.body)).not.toContain(String(res.body['webhook_secret']));
  });

  it('refuses plain-http redirect URIs outside loopback', async () => {
    const res = await operator(stack, 'POST', '/v1/admin/enterprises', { name: 'Bad', redirect_uris: ['http://shop.example/cb'] });
    expect(res.status).toBe(400);
    expect(res.body['code']).toBe('VALIDATION_FAILED');
  });

  it('creates contracts with every SPEC field and refuses a second active one for the pair', async () => {
    const t = await newTenant(stack, { bank: null });
    const body = {
      enterprise_id: t.id, bank_id: 'bank-a', claims: ['birthdate'], purposes: ['age_verification'], mode: 'match_only',
      valid_from: '2026-01-01T00:00:00.000Z', valid_until: '2030-01-01T00:00:00.000Z', rate_limit_rps: 5, access_ttl_seconds: 600,
    };
    const first = await operator(stack, 'POST', '/v1/admin/contracts', body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'active', enterprise_id: t.id, bank_id: 'bank-a', claims: ['birthdate'], purposes: ['age_verification'], mode: 'match_only', valid_from: '2026-01-01T00:00:00.000Z', valid_until: '2030-01-01T00:00:00.000Z', rate_limit_rps: 5, access_ttl_seconds: 600 });
    expect(String(first.body['id'])).toMatch(/^ctr_[0-9a-f]{32}$/);
    contractSchema.parse(first.body);
    const second = await operator(stack, 'POST', '/v1/admin/contracts', body);
    expect(second.status).toBe(409);
    expect(second.body['code']).toBe('CONTRACT_CONFLICT');
    const ended = await operator(stack, 'PATCH', `/v1/admin/contracts/${String(first.body['id'])}`, { status: 'ended' });
    expect(ended.body['status']).toBe('ended');
    expect((await operator(stack, 'POST', '/v1/admin/contracts', body)).status).toBe(201);
    const unknown = await operator(stack, 'POST', '/v1/admin/contracts', { ...body, bank_id: 'bank-zz' });
    expect(unknown.status).toBe(400);
  });

  it('lists the enterprise its banks, and stops a suspended enterprise on every route until it is reinstated', async () => {
    const t = await newTenant(stack);
    const banks = await call<{ data: Record<string, unknown>[] }>(stack, 'GET', '/v1/banks', t.key);
    expect(banks.body.data).toEqual([{ id: 'bank-a', name: 'Kaede Bank', status: 'open', availability: 'available', claims: ALL_CLAIMS, purposes: ['account_opening'], mode: 'full' }]);
    const created = await call(stack, 'POST', '/v1/verifications', t.key, goodBody);
    expect(created.status).toBe(201);
    await operator(stack, 'PATCH', `/v1/admin/enterprises/${t.id}`, { status: 'suspended' });
    // Its keys were cached as good a moment ago; the suspension reaches them at once.
    for (const [method, path, body] of [
      ['POST', '/v1/verifications', goodBody],
      ['GET', '/v1/banks', undefined],
      ['GET', `/v1/verifications/${String(created.body['id'])}`, undefined],
      ['GET', '/v1/distributions', undefined],
    ] as const) {
      const res = await call(stack, method, path, t.key, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body['code']).toBe('ENTERPRISE_SUSPENDED');
    }
    await operator(stack, 'PATCH', `/v1/admin/enterprises/${t.id}`, { status: 'active' });
    expect((await call(stack, 'GET', '/v1/banks', t.key)).status).toBe(200);
  });

  it('closes a bank: new verifications get 503 BANK_CLOSED', async () => {
    await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'closed' });
    try {
      const res = await call(stack, 'POST', '/v1/verifications', tenant.key, goodBody);
      expect(res.status).toBe(503);
      expect(res.body['code']).toBe('BANK_CLOSED');
    } finally {
      await operator(stack, 'PATCH', '/v1/admin/banks/bank-a', { status: 'open' });
    }
  });

  it('disables the bootstrap key once another operator key exists, on every instance', async () => {
    const second = await stack.addBroker(13032);
    // No other operator key yet: disabling would lock every operator out.
    await stack.prisma.apiKey.updateMany({ where: { role: 'operator', revokedAt: null }, data: { revokedAt: new Date() } });
    const refused = await operator(stack, 'DELETE', '/v1/admin/api-keys/key_bootstrap');
    expect(refused.status).toBe(403);
    expect(String(refused.body['detail'])).toContain('another operator key');
    const issued = await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'operator' });
    const successor = String(issued.body['key']);
    try {
      expect((await fetch(`${second}/v1/admin/banks`, { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } })).status).toBe(200);
      expect((await operator(stack, 'DELETE', '/v1/admin/api-keys/key_bootstrap')).status).toBe(204);
      for (const base of [stack.broker, second]) {
        const res = await fetch(`${base}/v1/admin/banks`, { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } });
        expect(res.status, base).toBe(401);
      }
      expect((await call(stack, 'GET', '/v1/admin/banks', successor)).status).toBe(200);
    } finally {
      // The other tests of the suite operate with the bootstrap key.
      await stack.prisma.apiKey.deleteMany({ where: { id: 'key_bootstrap' } });
    }
    expect((await operator(stack, 'GET', '/v1/admin/banks')).status).toBe(200);
  });

  it('issues auditor and operator keys, and a revoked key stops working at once', async () => {
    const auditor = await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' });
    expect(auditor.status).toBe(201);
    expect(Object.keys(auditor.body).sort()).toEqual(['id', 'key', 'role']);
    const op = await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'operator' });
    const key = String(op.body['key']);
    expect((await call(stack, 'GET', '/v1/admin/banks', key)).status).toBe(200);
    expect((await operator(stack, 'DELETE', `/v1/admin/api-keys/${String(op.body['id'])}`)).status).toBe(204);
    expect((await call(stack, 'GET', '/v1/admin/banks', key)).status).toBe(401);
    const keyRow = await stack.prisma.apiKey.findUnique({ where: { id: String(op.body['id']) } });
    expect(keyRow?.keyHash).not.toContain(key);
    expect(JSON.stringify(keyRow)).not.toContain(key);
  });
});

describe('platform endpoints', () => {
  it('publishes only public keys: client authentication and ledger signing', async () => {
    const res = await fetch(`${stack.broker}/.well-known/jwks.json`);
    const body = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.map((k) => [k['kty'], k['alg']])).toEqual([['EC', 'ES256'], ['OKP', 'EdDSA']]);
    for (const key of body.keys) {
      expect(key['d']).toBeUndefined();
      expect(key['kid']).toBeTypeOf('string');
    }
    expect(body.keys[0]?.['kid']).not.toBe(body.keys[1]?.['kid']);
  });

  it('sends protective headers', async () => {
    const res = await fetch(`${stack.broker}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('reports readiness of Postgres and Redis, and each bank beside them without making the instance unready', async () => {
    const res = await fetch(`${stack.broker}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' }, banks: { 'bank-a': 'ok', 'bank-b': 'ok' } });
    expect((await operator(stack, 'PATCH', '/v1/admin/banks/bank-b', { status: 'closed' })).status).toBe(200);
    try {
      await expect
        .poll(async () => {
          const closed = await fetch(`${stack.broker}/readyz`);
          return [closed.status, ((await closed.json()) as { banks: Record<string, string> }).banks['bank-b']];
        })
        .toEqual([200, 'closed']);
    } finally {
      await operator(stack, 'PATCH', '/v1/admin/banks/bank-b', { status: 'open' });
    }
  });
});

describe('API documentation', () => {
  it('serves the OpenAPI document and Swagger UI from local assets', async () => {
    const doc = (await (await fetch(`${stack.broker}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/verifications/{id}/identity');
    const page = await fetch(`${stack.broker}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await fetch(`${stack.broker}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await fetch(`${stack.broker}/docs/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('operational endpoints as configured (production defaults)', () => {
  it('serves /metrics to operator keys only and hides /docs and /openapi.json', async () => {
    const locked = await stack.addBroker(13030, { exposure: { metrics: 'operator', docs: 'off' } });
    const anonymous = await fetch(`${locked}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${locked}/metrics`, { headers: { authorization: `Bearer ${tenant.key}` } })).status).toBe(403);
    const scraped = await fetch(`${locked}/metrics`, { headers: { authorization: `Bearer ${stack.config.operatorBootstrapKey ?? ''}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('kyc_http_requests_total');
    for (const path of ['/docs', '/openapi.json', '/docs/assets/swagger-ui-bundle.js']) {
      const res = await fetch(`${locked}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const off = await stack.addBroker(13031, { exposure: { metrics: 'off', docs: 'public' } });
    expect((await fetch(`${off}/metrics`, { headers: { authorization: `Bearer ${stack.config.operatorBootstrapKey ?? ''}` } })).status).toBe(404);
    expect((await fetch(`${off}/openapi.json`)).status).toBe(200);
  });
});

describe('metrics', () => {
  it('exposes Prometheus metrics by route pattern and problem code, without ids', async () => {
    await fetch(`${stack.broker}/v1/verifications/ver_${'1'.repeat(32)}`, { headers: { authorization: `Bearer ${tenant.key}` } });
    const res = await fetch(`${stack.broker}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('kyc_http_requests_total{method="GET",route="/v1/verifications/:id",status="404"}');
    expect(text).toMatch(/kyc_problems_total\{code="NOT_FOUND"\} \d+/);
    expect(text).not.toMatch(/ver_[0-9a-f]{32}|ent_[0-9a-f]{32}|kyck_/);
  });
});

describe('slow clients', () => {
  it('cuts off a client that trickles its headers (slow-loris) with 408, and one that idles on a kept-alive connection', async () => {
    const url = new URL(await stack.addBroker(13033, { http: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 500 } }));
    const trickle = await new Promise<{ answer: string; ms: number }>((resolve, reject) => {
      const started = Date.now();
      let answer = '';
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: broker\r\n');
        // One more header line every 300 ms, never the blank line that ends them.
        const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 300);
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ answer, ms: Date.now() - started });
        });
      });
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('the server kept the trickling connection open')), 8_000);
    });
    expect(trickle.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(trickle.ms).toBeLessThan(4_000);

    const idle = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: broker\r\n\r\n');
      });
      let answeredAt = 0;
      socket.on('data', () => (answeredAt ||= Date.now()));
      socket.on('close', () => resolve(Date.now() - answeredAt));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('the server kept the idle connection open')), 8_000);
    });
    expect(idle).toBeLessThan(2_500);
  });
});

describe('graceful shutdown', () => {
  it('turns unready, takes no new connections, finishes the release in flight with its ledger entry, then closes', async () => {
    const url = await stack.addBroker(13034);
    const app = stack.brokers.at(-1);
    if (app === undefined) throw new Error('no broker added');
    const own = await newTenant(stack);
    const v = await call(stack, 'POST', '/v1/verifications', own.key, goodBody);
    const customer = (await customersOf(stack.bankA, 50)).find((c) => c.record['kycStatus'] === 'VERIFIED');
    const { callbackUrl, browser } = await consentAtBank(stack, String(v.body['authorization_url']), customer?.username ?? '', 'approve');
    expect((await browser.get(callbackUrl)).status).toBe(302);
    await control(stack.bankA, { latency_ms: 1_000 });
    try {
      const inFlight = fetch(`${url}/v1/verifications/${String(v.body['id'])}/identity`, { headers: { authorization: `Bearer ${own.key}` } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const drained = drainAndClose(app, 5_000);
      expect(app.get(Lifecycle).draining).toBe(true);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      const released = await inFlight;
      expect(released.status).toBe(200);
      const body = (await released.json()) as { ledger_entry: { seq: number; leaf_hash: string } };
      await drained;
      const row = await stack.prisma.ledgerEntry.findUnique({ where: { seq: BigInt(body.ledger_entry.seq) } });
      expect(row?.leafHash).toBe(body.ledger_entry.leaf_hash);
    } finally {
      await control(stack.bankA, { reset: true });
      stack.brokers.splice(stack.brokers.indexOf(app), 1);
    }
  });
});
