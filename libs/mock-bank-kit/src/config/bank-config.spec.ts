import { describe, expect, it } from 'vitest';
import { loadBankConfig } from './bank-config.js';

const publicJwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k', alg: 'ES256' }] });
const privateJwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', kid: 'k', alg: 'ES256' }] });
const keys = (prefix: string) => ({ BROKER_CLIENT_JWKS: publicJwks, [`${prefix}_JWKS`]: privateJwks, [`${prefix}_COOKIE_KEY`]: 'c'.repeat(43) });

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

  it('refuses a private key in the broker JWKS and a bad port', () => {
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BROKER_CLIENT_JWKS: privateJwks })).toThrow();
    expect(() => loadBankConfig('a', { ...keys('BANK_A'), BANK_A_PORT: 'x' })).toThrow();
  });

  it('names the missing key material without printing any', () => {
    expect(() => loadBankConfig('a', { KEYS_DIR: '/nonexistent-keys-dir' })).toThrow(/BROKER_CLIENT_JWKS is not set/);
  });
});
