import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CLAIMS, consentAtBank, customersOf, newVerification, operator, REDIRECT_URI, type JsonResponse } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

/** Webhooks as production runs them: loopback refused like every private range (WEBHOOK_ALLOW_LOOPBACK off). */
let stack: Stack;
let receiver: Server;
let connections = 0;
const RECEIVER_PORT = 13051;

beforeAll(async () => {
  receiver = createServer((_req, res) => res.writeHead(204).end());
  receiver.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, '0.0.0.0', resolve));
  stack = await startStack({ WEBHOOK_ALLOW_LOOPBACK: '0', WEBHOOK_ATTEMPTS: '2', WEBHOOK_BACKOFF_MS: '50' });
});

afterAll(async () => {
  await stack.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const register = (webhookUrl: string): Promise<JsonResponse> =>
  operator(stack, 'POST', '/v1/admin/enterprises', { name: 'Hooked Co', redirect_uris: [REDIRECT_URI], webhook_url: webhookUrl });

describe('webhook URLs cannot reach inside (SSRF)', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.5/',
    'http://127.1:6379/',
    'https://0x7f.1/',
    'https://2130706433/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[fd00:ec2::254]/',
    'https://localhost:6379/',
    'https://user:secret@hooks.example/',
  ])('refuses %s at registration and on update', async (url) => {
    const created = await register(url);
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    const ok = await register('https://hooks.acme.example/kyc');
    expect(ok.status).toBe(201);
    const patched = await operator(stack, 'PATCH', `/v1/admin/enterprises/${String(ok.body['id'])}`, { webhook_url: url });
    expect(patched.status).toBe(400);
  });

  it('refuses at connect time a name that resolves to an internal address, with the same error as any unreachable endpoint', async () => {
    const host = hostname();
    const resolved = await lookup(host);
    // The machine's own name resolves to loopback or a private address on every machine this runs on.
    expect(resolved.address).toMatch(/^(127\.|10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|::1$|fe80:|fd)/);
    const ent = await register(`https://${host}:${RECEIVER_PORT}/hook`);
    expect(ent.status).toBe(201);
    const id = String(ent.body['id']);
    const key = await operator(stack, 'POST', `/v1/admin/enterprises/${id}/api-keys`);
    await operator(stack, 'POST', '/v1/admin/contracts', { enterprise_id: id, bank_id: 'bank-a', claims: ALL_CLAIMS, purposes: ['account_opening'], mode: 'full' });
    const customer = (await customersOf(stack.bankA, 30)).find((c) => c.record['kycStatus'] === 'VERIFIED')?.username ?? '';
    const v = await newVerification(stack, { id, key: String(key.body['key']) });
    const flow = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
    await flow.browser.get(flow.callbackUrl);

    const failedOf = async (): Promise<{ status: string; last_error?: string } | undefined> =>
      (await operator<{ data: { enterprise_id: string; status: string; last_error?: string }[] }>(stack, 'GET', '/v1/admin/webhook-deliveries')).body.data.find((d) => d.enterprise_id === id);
    await expect.poll(async () => (await failedOf())?.status, { timeout: 8000 }).toBe('failed');
    expect((await failedOf())?.last_error).toBe('the endpoint could not be reached');
    expect(connections).toBe(0);
  });
});
