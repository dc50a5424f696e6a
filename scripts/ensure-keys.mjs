// Generates the development keys into .keys/ when they are absent (never overwrites, never prints them).
// Production installations pass every key through its own environment variable instead.
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';

export const KEYS_DIR = path.resolve(process.env.KEYS_DIR ?? '.keys');

async function privateJwk(alg, crv) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(crv ? { crv } : {}) });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = alg;
  return jwk;
}

function write(name, content) {
  const file = path.join(KEYS_DIR, name);
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

const publicOf = ({ d: _d, ...pub }) => pub;

const files = {
  'broker-client-auth.jwk.json': async () => JSON.stringify(await privateJwk('ES256')),
  'dpop-bank-a.jwk.json': async () => JSON.stringify(await privateJwk('ES256')),
  'dpop-bank-b.jwk.json': async () => JSON.stringify(await privateJwk('ES256')),
  'ledger-signing.jwk.json': async () => JSON.stringify(await privateJwk('EdDSA', 'Ed25519')),
  'token-encryption.key': async () => randomBytes(32).toString('base64url'),
  'subject.key': async () => randomBytes(32).toString('base64url'),
  'bank-a-signing.jwks.json': async () => JSON.stringify({ keys: [await privateJwk('ES256')] }),
  'bank-b-signing.jwks.json': async () => JSON.stringify({ keys: [await privateJwk('ES256')] }),
  'bank-a-cookie.key': async () => randomBytes(32).toString('base64url'),
  'bank-b-cookie.key': async () => randomBytes(32).toString('base64url'),
  // The banks' tlog-witness cosigning keys (docs/adr/0012).
  'bank-a-witness.jwk.json': async () => JSON.stringify(await privateJwk('EdDSA', 'Ed25519')),
  'bank-b-witness.jwk.json': async () => JSON.stringify(await privateJwk('EdDSA', 'Ed25519')),
};

export async function ensureKeys() {
  mkdirSync(KEYS_DIR, { recursive: true, mode: 0o700 });
  const created = [];
  for (const [name, make] of Object.entries(files)) {
    if (!existsSync(path.join(KEYS_DIR, name))) {
      write(name, await make());
      created.push(name);
    }
  }
  // The banks read the broker's public client-authentication keys from this file (or env), never
  // from the running broker, so start order does not matter. Always rewritten from the private key.
  const { readFileSync } = await import('node:fs');
  const clientKey = JSON.parse(readFileSync(path.join(KEYS_DIR, 'broker-client-auth.jwk.json'), 'utf8'));
  write('broker-client-auth.public.jwks.json', JSON.stringify({ keys: [publicOf(clientKey)] }));
  // Likewise the witnesses read the ledger's public key, and the broker the witnesses' public keys.
  for (const name of ['ledger-signing', 'bank-a-witness', 'bank-b-witness']) {
    const key = JSON.parse(readFileSync(path.join(KEYS_DIR, `${name}.jwk.json`), 'utf8'));
    write(`${name}.public.jwk.json`, JSON.stringify(publicOf(key)));
  }
  return created;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const created = await ensureKeys();
  console.log(created.length ? `generated keys: ${created.join(', ')}` : 'keys present');
}
