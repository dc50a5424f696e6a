import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBankConfig } from './bank-config.js';

const publicJwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k', alg: 'ES256' }] });
const privateJwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', kid: 'k', alg: 'ES256' }] });
const witnessJwk = { kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43), d: 'd'.repeat(43) };
const ledgerJwk = { kty: 'OKP', crv: 'Ed25519', x: 'l'.repeat(43), kid: 'ledger', alg: 'EdDSA' };
const keys = (prefix: string) => ({
  BROKER_CLIENT_JWKS: publicJwks,
  [`${prefix}_JWKS`]: privateJwks,
  [`${prefix}_COOKIE_KEY`]: 'c'.repeat(43),
  [`${prefix}_WITNESS_JWK`]: JSON.stringify(witnessJwk),
  LEDGER_PUBLIC_JWK: JSON.stringify(ledgerJwk),
});

describe(loadBankConfig.name, () => {
  it('applies the defaults of bank A', () => {
    const sut = loadBankConfig('a', keys('BANK_A'));

    expect(sut).toMatchObject({
      port: 4001,
      issuer: 'http://127.0.0.1:4001',
      redirectUri: 'http://127.0.0.1:3000/v1/oauth/callback',
      controlEnabled: false,
    });
  });

  it('reads the port, broker URL and control switch of bank B', () => {
    const sut = loadBankConfig('b', { ...keys('BANK_B'), BANK_B_PORT: '5002', BROKER_PUBLIC_URL: 'http://127.0.0.1:3999/', BANK_CONTROL: '1' });

    expect(sut).toMatchObject({ port: 5002, issuer: 'http://127.0.0.1:5002', redirectUri: 'http://127.0.0.1:3999/v1/oauth/callback', controlEnabled: true });
  });

  it('takes a public issuer other than its own port (behind a proxy), and keeps listening on the port', () => {
    const sut = loadBankConfig('b', { ...keys('BANK_B'), BANK_B_PORT: '5012', BANK_B_ISSUER: 'http://127.0.0.1:5002/' });

    expect(sut).toMatchObject({ port: 5012, issuer: 'http://127.0.0.1:5002' });
  });

  it('refuses a private key in the broker JWKS and a bad port', () => {
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BROKER_CLIENT_JWKS: privateJwks })).toThrow();
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BANK_A_PORT: 'x' })).toThrow();
  });

  it('makes the bank a witness of the broker log by default', () => {
    const sut = loadBankConfig('a', { ...keys('BANK_A'), BROKER_PUBLIC_URL: 'http://127.0.0.1:3999' });

    expect(sut.witness).toEqual({
      name: 'bank-a.mock/witness',
      privateJwk: witnessJwk,
      log: { origin: '127.0.0.1:3999/kyc-ledger', publicJwk: ledgerJwk },
      stateDir: path.resolve('.data/bank-a-witness'),
    });
  });

  it('reads the witness name, log origin and state folder of bank B', () => {
    const sut = loadBankConfig('b', {
      ...keys('BANK_B'),
      BANK_B_WITNESS_NAME: 'witness.bank-b.example/w1',
      LEDGER_ORIGIN: 'broker.example/kyc-ledger',
      BANK_B_WITNESS_STATE_DIR: 'tmp/witness-b',
    });

    expect(sut.witness).toMatchObject({ name: 'witness.bank-b.example/w1', log: { origin: 'broker.example/kyc-ledger' }, stateDir: path.resolve('tmp/witness-b') });
  });

  it('refuses a witness key that is not Ed25519, a private ledger key and names with spaces', () => {
    const ecKey = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' });

    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BANK_A_WITNESS_JWK: ecKey })).toThrow();
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BANK_A_WITNESS_JWK: JSON.stringify({ ...ledgerJwk }) })).toThrow();
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), LEDGER_PUBLIC_JWK: JSON.stringify(witnessJwk) })).toThrow(/must not hold the private key/);
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BANK_A_WITNESS_NAME: 'bank a' })).toThrow();
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), LEDGER_ORIGIN: 'a+b' })).toThrow();
  });

  it('reads the witness key and the ledger public key from the keys folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bank-keys-'));
    try {
      writeFileSync(path.join(dir, 'bank-a-witness.jwk.json'), JSON.stringify(witnessJwk));
      writeFileSync(path.join(dir, 'ledger-signing.public.jwk.json'), JSON.stringify(ledgerJwk));
      const { BANK_A_WITNESS_JWK: _w, LEDGER_PUBLIC_JWK: _l, ...rest } = keys('BANK_A');

      const sut = loadBankConfig('a', { ...rest, KEYS_DIR: dir });

      expect(sut.witness).toMatchObject({ privateJwk: witnessJwk, log: { publicJwk: ledgerJwk } });
      expect(() => loadBankConfig('b', { ...keys('BANK_B'), BANK_B_WITNESS_JWK: undefined, KEYS_DIR: dir })).toThrow(/BANK_B_WITNESS_JWK is not set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the missing key material without printing any', () => {
    expect(() => loadBankConfig('a', { KEYS_DIR: '/nonexistent-keys-dir' })).toThrow(/BROKER_CLIENT_JWKS is not set/);
  });
});
