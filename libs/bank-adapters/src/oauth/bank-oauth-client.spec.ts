import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_BANK_BODY_BYTES, payloadInvalid, readJson } from '../shared/bank-response.js';
import { BankOAuthClient, newFlowSecrets } from './bank-oauth-client.js';

const ISSUER = 'https://bank.example';
const KYC_PATH = '/api/kyc/v1/customer';
const CLIENT_ID = 'kyc-broker';
const REDIRECT_URI = 'https://broker.example/v1/oauth/callback';

const metadata = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  pushed_authorization_request_endpoint: `${ISSUER}/par`,
  token_endpoint: `${ISSUER}/token`,
  authorization_response_iss_parameter_supported: true,
  id_token_signing_alg_values_supported: ['ES256'],
};

/** What the mock bank saw of one request. */
interface Seen {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One mocked answer of the bank. */
interface Reply {
  readonly statusCode: number;
  readonly data: string;
  readonly responseOptions: { readonly headers: Record<string, string> };
}

/** undici hands mock callbacks the headers as a Headers, a record or a flat [name, value, …] array. */
function headersOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw instanceof Headers) {
    raw.forEach((value, name) => (out[name] = value));
  } else if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
  } else if (typeof raw === 'object' && raw !== null) {
    for (const [name, value] of Object.entries(raw)) out[name.toLowerCase()] = String(value);
  }
  return out;
}

/** The request body as text, whichever form fetch handed the dispatcher. */
function textOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '';
}

/** The `nonce` claim of the DPoP proof the request carried (undefined when it carried none). */
function proofNonce(seen: Seen | undefined): unknown {
  const proof = seen?.headers['dpop'];
  if (proof === undefined) throw new Error('the request carried no DPoP proof');
  return decodeJwt(proof)['nonce'];
}

const json = (statusCode: number, data: unknown, headers: Record<string, string> = {}): Reply => ({
  statusCode,
  data: JSON.stringify(data),
  responseOptions: { headers: { 'content-type': 'application/json', ...headers } },
});

const NONCE_CHALLENGE = { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"' };

describe(BankOAuthClient.name, () => {
  let clientAuthJwk: JWK;
  let dpopJwk: JWK;
  let idTokenKey: CryptoKey;
  let mock: MockAgent;
  let seen: Seen[];
  let sut: BankOAuthClient;

  /** Queues one answer per expected request at `path`, in order, recording what each request carried. */
  const answer = (method: 'GET' | 'POST', path: string, ...replies: Reply[]): void => {
    for (const reply of replies) {
      mock
        .get(ISSUER)
        .intercept({ method, path })
        .reply((opts): Reply => {
          seen.push({ path: opts.path, headers: headersOf(opts.headers), body: textOf(opts.body) });
          return reply;
        });
    }
  };

  const kyc = (): Promise<Response> => sut.resourceRequest(ISSUER, 'k1', 'at-1', 'GET', KYC_PATH);

  beforeAll(async () => {
    const auth = await generateKeyPair('ES256', { extractable: true });
    clientAuthJwk = { ...(await exportJWK(auth.privateKey)), kid: 'client-auth-1' };
    const dpop = await generateKeyPair('ES256', { extractable: true });
    dpopJwk = { ...(await exportJWK(dpop.privateKey)), kid: 'dpop-1' };
    idTokenKey = (await generateKeyPair('ES256')).privateKey;
  });

  beforeEach(() => {
    seen = [];
    mock = new MockAgent();
    mock.disableNetConnect();
    sut = new BankOAuthClient({
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      timeoutMs: 5_000,
      keys: { clientAuthJwk, dpopJwks: { k1: dpopJwk } },
      dispatcher: mock,
    });
  });

  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await sut.close();
    await mock.close();
  });

  describe('resourceRequest', () => {
    it('passes a 200 through, DPoP-bound, with one call', async () => {
      answer('GET', KYC_PATH, json(200, { customerNumber: '0012345' }));
      const response = await kyc();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ customerNumber: '0012345' });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.headers['authorization']).toBe('DPoP at-1');
      expect(seen[0]?.headers['accept']).toBe('application/json');
      const proof = decodeJwt(seen[0]?.headers['dpop'] ?? '');
      expect(proof).toMatchObject({ htm: 'GET', htu: `${ISSUER}${KYC_PATH}` });
      expect(proof['nonce']).toBeUndefined();
    });

    it('sends a JSON body with its content type', async () => {
      answer('POST', '/openapi/v2/identity/inquiry', json(200, { ok: true }));
      const response = await sut.resourceRequest(ISSUER, 'k1', 'at-1', 'POST', '/openapi/v2/identity/inquiry', { fields: ['KYC'] });
      expect(response.status).toBe(200);
      expect(seen[0]?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ fields: ['KYC'] });
    });

    it('retries a use_dpop_nonce challenge once with that nonce, and sends it first time on the next call', async () => {
      answer('GET', KYC_PATH, json(401, {}, { ...NONCE_CHALLENGE, 'dpop-nonce': 'nonce-1' }), json(200, { n: 1 }));
      const first = await kyc();
      expect(first.status).toBe(200);
      expect(seen).toHaveLength(2);
      expect(proofNonce(seen[0])).toBeUndefined();
      expect(proofNonce(seen[1])).toBe('nonce-1');

      // The handle outlives the call: the next release carries the nonce on its only request.
      answer('GET', KYC_PATH, json(200, { n: 2 }));
      const second = await kyc();
      expect(second.status).toBe(200);
      expect(seen).toHaveLength(3);
      expect(proofNonce(seen[2])).toBe('nonce-1');
    });

    it('picks up a nonce the bank rotates on a success', async () => {
      answer('GET', KYC_PATH, json(200, {}, { 'dpop-nonce': 'nonce-2' }), json(200, {}));
      await kyc();
      await kyc();
      expect(proofNonce(seen[1])).toBe('nonce-2');
    });

    it('returns a 401 invalid_token challenge as the Response, unread and without a retry', async () => {
      answer('GET', KYC_PATH, json(401, { errorCode: 'INVALID_TOKEN' }, { 'www-authenticate': 'DPoP error="invalid_token", error_description="expired"' }));
      const response = await kyc();
      expect(response.status).toBe(401);
      expect(response.bodyUsed).toBe(false);
      expect(await response.json()).toEqual({ errorCode: 'INVALID_TOKEN' });
      expect(seen).toHaveLength(1);
    });

    it.each([401, 429, 503])('returns a %i without a challenge as the Response', async (status) => {
      answer('GET', KYC_PATH, json(status, { errorCode: 'X' }));
      expect((await kyc()).status).toBe(status);
      expect(seen).toHaveLength(1);
    });

    it('throws when the bank asks for a nonce again right after getting one', async () => {
      answer(
        'GET',
        KYC_PATH,
        json(401, {}, { ...NONCE_CHALLENGE, 'dpop-nonce': 'nonce-1' }),
        json(401, {}, { ...NONCE_CHALLENGE, 'dpop-nonce': 'nonce-2' }),
      );
      await expect(kyc()).rejects.toMatchObject({ name: 'WWWAuthenticateChallengeError', status: 401 });
      expect(seen).toHaveLength(2);
    });

    it('keeps transport failures as they were (fetch failed)', async () => {
      mock.get(ISSUER).intercept({ method: 'GET', path: KYC_PATH }).replyWithError(new Error('socket hang up'));
      await expect(kyc()).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    });
  });

  describe('pushAuthorization', () => {
    const request = {
      scope: 'openid kyc:read',
      ...newFlowSecrets(),
      authorizationDetails: [{ type: 'kyc_release', claims: ['birthdate'] }],
    };

    it('retries PAR once on use_dpop_nonce with the nonce and a fresh client assertion', async () => {
      answer('GET', '/.well-known/openid-configuration', json(200, metadata));
      answer(
        'POST',
        '/par',
        json(400, { error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' }, { 'dpop-nonce': 'as-nonce-1' }),
        json(201, { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }),
      );
      const { url, expiresIn } = await sut.pushAuthorization(ISSUER, 'k1', request);
      expect(expiresIn).toBe(60);
      expect(url.href).toBe(`${ISSUER}/auth?client_id=${CLIENT_ID}&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc`);
      const [first, second] = seen.filter((s) => s.path === '/par');
      expect(proofNonce(first)).toBeUndefined();
      expect(proofNonce(second)).toBe('as-nonce-1');
      const assertion = (s: Seen | undefined): unknown => decodeJwt(new URLSearchParams(s?.body).get('client_assertion') ?? '')['jti'];
      expect(assertion(second)).not.toEqual(assertion(first));
      expect(new URLSearchParams(second?.body).get('dpop_jkt')).toMatch(/^[\w-]{43}$/);
    });
  });

  describe('completeAuthorization', () => {
    it('retries the code exchange once on use_dpop_nonce', async () => {
      const secrets = newFlowSecrets();
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ nonce: secrets.nonce })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(ISSUER)
        .setAudience(CLIENT_ID)
        .setSubject('customer-1')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(idTokenKey);
      answer('GET', '/.well-known/openid-configuration', json(200, metadata));
      answer(
        'POST',
        '/token',
        json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'as-nonce-1' }),
        json(200, { access_token: 'at-1', token_type: 'DPoP', expires_in: 300, id_token: idToken }),
      );
      const callback = new URL(`${REDIRECT_URI}?code=code-1&state=${secrets.state}&iss=${encodeURIComponent(ISSUER)}`);
      const tokens = await sut.completeAuthorization(ISSUER, 'k1', callback, secrets);
      expect(tokens).toEqual({ accessToken: 'at-1', refreshToken: undefined, expiresIn: 300, subject: 'customer-1' });
      const [first, second] = seen.filter((s) => s.path === '/token');
      expect(proofNonce(first)).toBeUndefined();
      expect(proofNonce(second)).toBe('as-nonce-1');
    });

    it.each([
      ['without iss', ''],
      ["with another bank's iss", `&iss=${encodeURIComponent('https://other-bank.example')}`],
    ])('refuses a callback %s even when the metadata does not advertise the parameter', async (_label, iss) => {
      const secrets = newFlowSecrets();
      const { authorization_response_iss_parameter_supported: _advertised, ...quiet } = metadata;
      answer('GET', '/.well-known/openid-configuration', json(200, quiet));
      const callback = new URL(`${REDIRECT_URI}?code=code-1&state=${secrets.state}${iss}`);

      await expect(sut.completeAuthorization(ISSUER, 'k1', callback, secrets)).rejects.toMatchObject({ kind: 'issuer_mismatch' });
      expect(seen.filter((x) => x.path === '/token')).toEqual([]);
    });
  });

  describe('bank answers are capped', () => {
    it('refuses a body larger than the cap as BANK_PAYLOAD_INVALID, without reading it all', async () => {
      answer('GET', KYC_PATH, { statusCode: 200, data: JSON.stringify({ pad: 'x'.repeat(MAX_BANK_BODY_BYTES) }), responseOptions: { headers: { 'content-type': 'application/json' } } });

      await expect(sut.resourceRequest(ISSUER, 'k1', 'at-1', 'GET', KYC_PATH)).rejects.toMatchObject({ code: 'BANK_PAYLOAD_INVALID' });
    });

    it('passes a body within the cap through unchanged', async () => {
      answer('GET', KYC_PATH, json(200, { ok: true }));

      const response = await sut.resourceRequest(ISSUER, 'k1', 'at-1', 'GET', KYC_PATH);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    });
  });
});

describe(payloadInvalid.name, () => {
  it('keeps the bytes and values of a bad answer out of the cause that is logged', async () => {
    const html = '<html>山田 太郎 1990-01-02 東京都千代田区</html>';
    const problem = await readJson(new Response(html), z.object({ a: z.string() }), 'Test Bank').catch((err: unknown) => err);

    expect(problem).toMatchObject({ code: 'BANK_PAYLOAD_INVALID' });
    const cause = (problem as { cause?: unknown }).cause;
    expect(String(cause)).toBe('Error: the body is not JSON');
    const shaped = await readJson(Response.json({ a: 19900102 }), z.object({ a: z.string() }), 'Test Bank').catch((err: unknown) => err);
    expect(String((shaped as { cause?: unknown }).cause)).not.toContain('19900102');
  });
});

describe(`${BankOAuthClient.name} keep-alive pool`, () => {
  let server: Server;
  let issuer: string;
  const ports: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      ports.push(req.socket.remotePort ?? 0);
      // A little latency, so concurrent requests overlap and would open sockets if they could.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });

  it('reuses one socket per bank within connectionsPerBank, and close() ends the pool', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const sut = new BankOAuthClient({
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      timeoutMs: 5_000,
      keys: { clientAuthJwk: jwk, dpopJwks: { k1: jwk } },
      connectionsPerBank: 1,
    });
    const call = (): Promise<number> => sut.resourceRequest(issuer, 'k1', 'at-1', 'GET', KYC_PATH).then(async (r) => (await r.text(), r.status));
    expect(await call()).toBe(200);
    expect(await Promise.all([call(), call(), call()])).toEqual([200, 200, 200]);
    expect(ports).toHaveLength(4);
    expect(new Set(ports).size).toBe(1);
    await sut.close();
    await expect(call()).rejects.toThrow();
  });
});
