import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KycRelease } from '../oidc/kyc-release.js';
import { DpopAccessVerifier, ResourceAccessError, type AccessTokenRecord } from './dpop-access.js';

const ISSUER = 'http://127.0.0.1:4001';
const RESOURCE = `${ISSUER}/api/kyc`;
const PATH = '/api/kyc/v1/customer';
const TOKEN = 'opaque-access-token-value';
const NOW = 1_800_000_000_000;
const release: KycRelease = { type: 'kyc_release', enterprise: { id: 'ent_1', name: 'Shop' }, purpose: 'kyc', claims: ['birthdate'] };

interface Key { privateKey: CryptoKey; jwk: JWK; thumbprint: string }

async function makeKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk) };
}

interface ProofOptions { htm?: string; htu?: string; iat?: number; jti?: string; ath?: string; key?: Key }

describe(DpopAccessVerifier.name, () => {
  let key: Key;
  let record: AccessTokenRecord;

  beforeAll(async () => {
    key = await makeKey();
    record = { accountId: '0000001', clientId: 'kyc-broker', jkt: key.thumbprint, scope: 'kyc:read', aud: RESOURCE, rar: [release] };
  });

  const makeSut = (tokenRecord: AccessTokenRecord = record): DpopAccessVerifier =>
    new DpopAccessVerifier({
      issuer: ISSUER,
      resource: RESOURCE,
      scope: 'kyc:read',
      lookup: async (token) => (token === TOKEN ? tokenRecord : undefined),
      now: () => NOW,
    });

  async function proof(options: ProofOptions = {}): Promise<string> {
    const signer = options.key ?? key;
    return new SignJWT({
      htm: options.htm ?? 'GET',
      htu: options.htu ?? `${ISSUER}${PATH}`,
      iat: options.iat ?? NOW / 1000,
      jti: options.jti ?? crypto.randomUUID(),
      ath: options.ath ?? createHash('sha256').update(TOKEN).digest('base64url'),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: signer.jwk })
      .sign(signer.privateKey);
  }

  const request = (dpop: string, authorization = `DPoP ${TOKEN}`) => ({ method: 'GET', path: PATH, authorization, dpop });

  async function rejection(promise: Promise<unknown>): Promise<ResourceAccessError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    if (!(error instanceof ResourceAccessError)) throw new Error('expected a ResourceAccessError');
    return error;
  }

  it('accepts a valid proof and returns the account and its consent', async () => {
    const sut = makeSut();

    await expect(sut.verify(request(await proof()))).resolves.toEqual({ accountId: '0000001', release });
  });

  it('accepts an htu with a query string', async () => {
    const sut = makeSut();

    await expect(sut.verify(request(await proof({ htu: `${ISSUER}${PATH}?x=1` })))).resolves.toBeDefined();
  });

  it('rejects a wrong ath', async () => {
    const sut = makeSut();

    const error = await rejection(sut.verify(request(await proof({ ath: 'A'.repeat(43) }))));

    expect(error.status).toBe(401);
    expect(error.description).toMatch(/ath/);
    expect(error.wwwAuthenticate).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('rejects a wrong htu', async () => {
    const sut = makeSut();

    const error = await rejection(sut.verify(request(await proof({ htu: 'http://127.0.0.1:4002/api/kyc/v1/customer' }))));

    expect(error.description).toMatch(/htu/);
  });

  it('accepts the target URI named by the Host header (a reverse proxy that keeps Host)', async () => {
    const sut = makeSut();
    const viaProxy = await proof({ htu: `http://127.0.0.1:8080${PATH}` });

    await expect(sut.verify({ ...request(viaProxy), host: '127.0.0.1:8080' })).resolves.toBeDefined();
    await expect(makeSut().verify({ ...request(await proof({ htu: `http://127.0.0.1:8080${PATH}` })), host: '127.0.0.1:9090' })).rejects.toThrow(/htu/);
  });

  it('rejects a wrong htm and a stale iat', async () => {
    const sut = makeSut();

    expect((await rejection(sut.verify(request(await proof({ htm: 'POST' }))))).description).toMatch(/htm/);
    expect((await rejection(sut.verify(request(await proof({ iat: NOW / 1000 - 61 }))))).description).toMatch(/iat/);
  });

  it('rejects a replayed jti', async () => {
    const sut = makeSut();
    const once = await proof({ jti: 'same-jti' });
    await sut.verify(request(once));

    const error = await rejection(sut.verify(request(once)));

    expect(error.description).toMatch(/already used/);
  });

  it('rejects a token bound to another key', async () => {
    const sut = makeSut();

    const error = await rejection(sut.verify(request(await proof({ key: await makeKey() }))));

    expect(error.code).toBe('invalid_token');
    expect(error.description).toMatch(/binding/);
  });

  it('rejects a Bearer token, an unknown token and an unbound token', async () => {
    expect((await rejection(makeSut().verify(request(await proof(), `Bearer ${TOKEN}`)))).code).toBe('invalid_token');
    expect((await rejection(makeSut().verify(request(await proof(), 'DPoP unknown-token')))).code).toBe('invalid_token');
    expect((await rejection(makeSut({ ...record, jkt: undefined }).verify(request(await proof())))).code).toBe('invalid_token');
  });

  it('answers 403 insufficient_scope without the scope or the kyc_release consent', async () => {
    const noScope = await rejection(makeSut({ ...record, scope: 'openid' }).verify(request(await proof())));
    const noRar = await rejection(makeSut({ ...record, rar: undefined }).verify(request(await proof())));

    expect([noScope.status, noScope.code]).toEqual([403, 'insufficient_scope']);
    expect([noRar.status, noRar.code]).toEqual([403, 'insufficient_scope']);
  });

  it('rejects a token issued for another resource', async () => {
    const error = await rejection(makeSut({ ...record, aud: 'http://127.0.0.1:4002/openapi/v2' }).verify(request(await proof())));

    expect(error.code).toBe('invalid_token');
  });
});
