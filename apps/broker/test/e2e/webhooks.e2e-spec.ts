import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_CLAIMS, call, consentAtBank, customersOf, newVerification, operator, REDIRECT_URI, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';
import { WebhooksService } from '../../src/webhooks/index.js';

interface Received {
  path: string;
  signature: string;
  body: string;
}

let stack: Stack;
let server: Server;
let hookBase: string;
const received: Received[] = [];
let failing = false;
let customer: string;

async function tenantWithHook(path: string): Promise<Tenant & { secret: string }> {
  const ent = await operator(stack, 'POST', '/v1/admin/enterprises', { name: `Hooked ${path}`, redirect_uris: [REDIRECT_URI], webhook_url: `${hookBase}${path}` });
  const key = await operator(stack, 'POST', `/v1/admin/enterprises/${String(ent.body['id'])}/api-keys`);
  await operator(stack, 'POST', '/v1/admin/contracts', { enterprise_id: ent.body['id'], bank_id: 'bank-a', claims: ALL_CLAIMS, purposes: ['account_opening'], mode: 'full' });
  return { id: String(ent.body['id']), key: String(key.body['key']), secret: String(ent.body['webhook_secret']) };
}

const eventsFor = (path: string): { type: string; id: string; created_at: string; data: Record<string, unknown> }[] =>
  received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as { type: string; id: string; created_at: string; data: Record<string, unknown> });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (failing && req.url === '/flaky') {
        res.writeHead(500).end();
        return;
      }
      if (req.url === '/endless') {
        // 200, then a body that never ends: the broker must read no more than its cap.
        received.push({ path: req.url, signature: '', body });
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'x'.repeat(16 * 1024);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      if (req.url === '/moved') {
        res.writeHead(307, { location: `${hookBase}/elsewhere` }).end();
        return;
      }
      received.push({ path: req.url ?? '', signature: String(req.headers['broker-signature'] ?? ''), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  hookBase = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  stack = await startStack({ WEBHOOK_ATTEMPTS: '3', WEBHOOK_BACKOFF_MS: '50' });
  customer = (await customersOf(stack.bankA, 30)).find((c) => c.record['kycStatus'] === 'VERIFIED')?.username ?? '';
});

afterAll(async () => {
  await stack.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('webhooks', () => {
  it('signs and delivers authorized, revoked, denied and expired events, without personal data', async () => {
    const t = await tenantWithHook('/hook');
    const approved = await newVerification(stack, t);
    const first = await consentAtBank(stack, String(approved['authorization_url']), customer, 'approve');
    await first.browser.get(first.callbackUrl);
    await expect.poll(() => eventsFor('/hook').map((e) => e.type), { timeout: 5000 }).toContain('verification.authorized');

    const delivery = received.find((r) => r.path === '/hook');
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery?.signature ?? '');
    expect(match).not.toBeNull();
    const expected = createHmac('sha256', t.secret).update(`${match?.[1] ?? ''}.${delivery?.body ?? ''}`).digest('hex');
    expect(match?.[2]).toBe(expected);
    expect(Math.abs(Number(match?.[1]) - Date.now() / 1000)).toBeLessThan(30);
    const event = eventsFor('/hook')[0];
    expect(event?.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(event?.data).toMatchObject({ id: approved['id'], status: 'authorized' });
    expect(delivery?.body).not.toContain(customer);

    expect((await call(stack, 'DELETE', `/v1/verifications/${String(approved['id'])}`, t.key)).status).toBe(204);
    const denied = await newVerification(stack, t);
    const second = await consentAtBank(stack, String(denied['authorization_url']), customer, 'deny');
    await second.browser.get(second.callbackUrl);
    const expiring = await newVerification(stack, t);
    await stack.prisma.verification.update({ where: { id: String(expiring['id']) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect
      .poll(() => eventsFor('/hook').map((e) => `${e.type}:${String(e.data['id'])}`).sort(), { timeout: 5000 })
      .toEqual(
        [
          `verification.authorized:${String(approved['id'])}`,
          `verification.revoked:${String(approved['id'])}`,
          `verification.denied:${String(denied['id'])}`,
          `verification.expired:${String(expiring['id'])}`,
        ].sort(),
      );
  });

  it('retries with backoff, gives up visibly, and delivers when an operator replays it', async () => {
    failing = true;
    const t = await tenantWithHook('/flaky');
    const v = await newVerification(stack, t);
    const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
    await flow.browser.get(flow.callbackUrl);
    await expect
      .poll(async () => (await operator<{ data: { id: string; enterprise_id: string; attempts: number; last_error?: string }[] }>(stack, 'GET', '/v1/admin/webhook-deliveries?status=failed')).body.data.filter((d) => d.enterprise_id === t.id), { timeout: 8000 })
      .toHaveLength(1);
    const failed = (await operator<{ data: { id: string; enterprise_id: string; attempts: number; last_error?: string }[] }>(stack, 'GET', '/v1/admin/webhook-deliveries?status=failed')).body.data.find((d) => d.enterprise_id === t.id);
    expect(failed?.attempts).toBe(3);
    expect(failed?.last_error).toContain('500');
    expect(eventsFor('/flaky')).toEqual([]);

    failing = false;
    const retry = await operator(stack, 'POST', `/v1/admin/webhook-deliveries/${failed?.id ?? ''}/retry`);
    expect(retry.status).toBe(202);
    await expect.poll(() => eventsFor('/flaky').map((e) => e.id), { timeout: 5000 }).toEqual([failed?.id]);
    expect((await operator(stack, 'POST', `/v1/admin/webhook-deliveries/${failed?.id ?? ''}/retry`)).status).toBe(409);
    expect((await operator(stack, 'POST', '/v1/admin/webhook-deliveries/evt_nope/retry')).status).toBe(404);
  });

  const lastDelivery = async (enterpriseId: string): Promise<{ status: string; last_error?: string } | undefined> => {
    const all = await operator<{ data: { enterprise_id: string; status: string; last_error?: string }[] }>(stack, 'GET', '/v1/admin/webhook-deliveries');
    return all.body.data.find((d) => d.enterprise_id === enterpriseId);
  };

  it('reads no more than a small part of an endless answer, and counts its 200 as delivered', async () => {
    const t = await tenantWithHook('/endless');
    const v = await newVerification(stack, t);
    const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
    await flow.browser.get(flow.callbackUrl);
    await expect.poll(async () => (await lastDelivery(t.id))?.status, { timeout: 8000 }).toBe('delivered');
  });

  it('does not follow a redirect', async () => {
    const t = await tenantWithHook('/moved');
    const v = await newVerification(stack, t);
    const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
    await flow.browser.get(flow.callbackUrl);
    await expect.poll(async () => (await lastDelivery(t.id))?.status, { timeout: 8000 }).toBe('failed');
    expect((await lastDelivery(t.id))?.last_error).toBe('the endpoint answered HTTP 307');
    expect(eventsFor('/elsewhere')).toEqual([]);
  });

  it('delivers an event whose instance died between the commit and the queueing (the outbox relay)', async () => {
    const t = await tenantWithHook('/outbox');
    const app = stack.brokers[0];
    if (app === undefined) throw new Error('no broker');
    const webhooks = app.get(WebhooksService);
    // What a crash right after COMMIT leaves: the outbox row, and no job.
    const committed = vi.spyOn(webhooks, 'committed').mockResolvedValue(undefined);
    try {
      const v = await newVerification(stack, t);
      const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
      expect((await flow.browser.get(flow.callbackUrl)).status).toBe(302);
      expect(committed).toHaveBeenCalledOnce();
      await expect.poll(() => eventsFor('/outbox').map((e) => `${e.type}:${String(e.data['id'])}`), { timeout: 10_000 }).toEqual([`verification.authorized:${String(v['id'])}`]);
    } finally {
      committed.mockRestore();
    }
  });

  it('revokes at the bank as its own job, whatever happens to the webhook', async () => {
    failing = true;
    try {
      const t = await tenantWithHook('/flaky');
      const v = await newVerification(stack, t);
      const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
      await flow.browser.get(flow.callbackUrl);
      expect((await call(stack, 'DELETE', `/v1/verifications/${String(v['id'])}`, t.key)).status).toBe(204);
      await expect
        .poll(async () => (await stack.prisma.bankRevocation.findMany({ where: { verificationId: String(v['id']) } })).map((r) => [r.status, r.tokenSealed]), { timeout: 8000 })
        .toEqual([['done', null]]);
    } finally {
      failing = false;
    }
  });

  it('rotates the secret: both signatures during the overlap, only the new one after it', async () => {
    const t = await tenantWithHook('/rotate');
    const rotated = await operator<{ webhook_secret: string; previous_valid_until: string }>(stack, 'POST', `/v1/admin/enterprises/${t.id}/webhook-secret/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.body.webhook_secret).not.toBe(t.secret);
    expect(Date.parse(rotated.body.previous_valid_until) - Date.now()).toBeGreaterThan(3_600_000);
    const hmac = (secret: string, signed: Received): string => {
      const ts = /^t=(\d+)/.exec(signed.signature)?.[1] ?? '';
      return createHmac('sha256', secret).update(`${ts}.${signed.body}`).digest('hex');
    };
    const signaturesOf = (r: Received): string[] => [...r.signature.matchAll(/v1=([0-9a-f]{64})/g)].map((m) => m[1] ?? '');
    const authorize = async (): Promise<void> => {
      const v = await newVerification(stack, t);
      const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
      await flow.browser.get(flow.callbackUrl);
    };

    await authorize();
    await expect.poll(() => received.filter((r) => r.path === '/rotate').length, { timeout: 5000 }).toBe(1);
    const during = received.filter((r) => r.path === '/rotate')[0];
    if (during === undefined) throw new Error('no delivery');
    expect(signaturesOf(during)).toEqual([hmac(rotated.body.webhook_secret, during), hmac(t.secret, during)]);

    await stack.prisma.enterprise.update({ where: { id: t.id }, data: { webhookSecretPreviousUntil: new Date(Date.now() - 1000) } });
    await authorize();
    await expect.poll(() => received.filter((r) => r.path === '/rotate').length, { timeout: 5000 }).toBe(2);
    const after = received.filter((r) => r.path === '/rotate')[1];
    if (after === undefined) throw new Error('no delivery');
    expect(signaturesOf(after)).toEqual([hmac(rotated.body.webhook_secret, after)]);
    expect((await operator(stack, 'POST', '/v1/admin/enterprises/ent_nope/webhook-secret/rotate')).status).toBe(404);
  });
});
