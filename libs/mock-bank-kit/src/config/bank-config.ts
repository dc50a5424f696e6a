import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultLogOrigin, isNoteKeyName } from '@kyc/ledger';
import { z } from 'zod';

export type BankId = 'a' | 'b';

const jwkSchema = z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional() });
const jwksSchema = z.object({ keys: z.array(jwkSchema).min(1) });
export type Jwk = z.infer<typeof jwkSchema>;
export interface Jwks { keys: Jwk[] }

const publicJwksSchema = jwksSchema.refine((jwks) => jwks.keys.every((k) => !('d' in k)), {
  message: 'the broker client JWKS must hold public keys only',
});
const privateJwksSchema = jwksSchema.refine((jwks) => jwks.keys.every((k) => 'd' in k), {
  message: 'the bank signing JWKS must hold private keys',
});

const ED25519_KEY = /^[A-Za-z0-9_-]{43}$/;
const ed25519Jwk = { kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().regex(ED25519_KEY) };
const ed25519PrivateJwkSchema = z.looseObject({ ...ed25519Jwk, d: z.string().regex(ED25519_KEY) });
const ed25519PublicJwkSchema = z.looseObject(ed25519Jwk).refine((jwk) => !('d' in jwk), {
  message: 'the ledger public key must not hold the private key',
});
const noteKeyNameSchema = z.string().refine(isNoteKeyName, { message: 'must be non-empty, without spaces, plus or control characters' });

/** The bank as a C2SP tlog-witness of the broker's ledger (docs/adr/0012). */
const witnessConfigSchema = z.object({
  name: noteKeyNameSchema,
  privateJwk: ed25519PrivateJwkSchema,
  /** The one log it witnesses; the origin is also the log's key name. */
  log: z.object({ origin: noteKeyNameSchema, publicJwk: ed25519PublicJwkSchema }),
  stateDir: z.string().min(1),
});

export const bankConfigSchema = z.object({
  bank: z.enum(['a', 'b']),
  port: z.number().int().min(1).max(65535),
  issuer: z.url(),
  brokerPublicUrl: z.url(),
  redirectUri: z.url(),
  controlEnabled: z.boolean(),
  brokerClientJwks: publicJwksSchema,
  signingJwks: privateJwksSchema,
  cookieKeys: z.array(z.string().min(32)).min(1),
  witness: witnessConfigSchema,
});

/** Everything a mock bank needs, validated once; nothing else in a bank reads the environment. */
export type BankConfig = z.infer<typeof bankConfigSchema>;

export type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_PORTS: Record<BankId, number> = { a: 4001, b: 4002 };

function readKeyMaterial(env: Env, variable: string, file: string): string {
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  const keysDir = path.resolve(env['KEYS_DIR'] ?? '.keys');
  try {
    return readFileSync(path.join(keysDir, file), 'utf8').trim();
  } catch {
    throw new Error(`${variable} is not set and ${file} is missing from the keys folder (run node scripts/ensure-keys.mjs)`);
  }
}

function parseJson(text: string, variable: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${variable} is not valid JSON`);
  }
}

/** Reads and validates a bank's configuration from the environment (or `.keys/` for key material). */
export function loadBankConfig(bank: BankId, env: Env = process.env): BankConfig {
  const prefix = bank === 'a' ? 'BANK_A' : 'BANK_B';
  const port = z.coerce.number().int().min(1).max(65535).parse(env[`${prefix}_PORT`] ?? DEFAULT_PORTS[bank]);
  const brokerPublicUrl = z.url().parse(env['BROKER_PUBLIC_URL'] ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const brokerJwks = readKeyMaterial(env, 'BROKER_CLIENT_JWKS', 'broker-client-auth.public.jwks.json');
  const signingJwks = readKeyMaterial(env, `${prefix}_JWKS`, `bank-${bank}-signing.jwks.json`);
  const cookieKey = readKeyMaterial(env, `${prefix}_COOKIE_KEY`, `bank-${bank}-cookie.key`);
  const witnessJwk = readKeyMaterial(env, `${prefix}_WITNESS_JWK`, `bank-${bank}-witness.jwk.json`);
  const ledgerJwk = readKeyMaterial(env, 'LEDGER_PUBLIC_JWK', 'ledger-signing.public.jwk.json');
  return bankConfigSchema.parse({
    bank,
    port,
    // Behind a reverse proxy (or the chaos run's fault proxy) the public issuer differs from the port it listens on.
    issuer: (env[`${prefix}_ISSUER`]?.trim() || `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
    brokerPublicUrl,
    redirectUri: `${brokerPublicUrl}/v1/oauth/callback`,
    controlEnabled: env['BANK_CONTROL'] === '1',
    brokerClientJwks: parseJson(brokerJwks, 'BROKER_CLIENT_JWKS'),
    signingJwks: parseJson(signingJwks, `${prefix}_JWKS`),
    cookieKeys: [cookieKey],
    witness: {
      name: env[`${prefix}_WITNESS_NAME`] ?? `bank-${bank}.mock/witness`,
      privateJwk: parseJson(witnessJwk, `${prefix}_WITNESS_JWK`),
      log: { origin: env['LEDGER_ORIGIN'] ?? defaultLogOrigin(brokerPublicUrl), publicJwk: parseJson(ledgerJwk, 'LEDGER_PUBLIC_JWK') },
      stateDir: path.resolve(env[`${prefix}_WITNESS_STATE_DIR`] ?? `.data/bank-${bank}-witness`),
    },
  });
}
