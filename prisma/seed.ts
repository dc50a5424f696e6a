import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';
import { CLAIM_NAMES, newId } from '@kyc/common-schema';
import { NOTE_COSIGNATURE_V1, verifierKeyOfJwk } from '@kyc/ledger';
import { Sealer, type BrokerConfig, type PrismaService } from '@kyc/platform';
import { hashApiKey } from '../apps/broker/src/auth/index.js';
import { newWebhookSecret } from '../apps/broker/src/webhooks/index.js';

/**
 * The banks this installation talks to: one row per bank, naming its adapter kind and its DPoP key id
 * (docs/adding-a-bank.md). The issuer comes from `<env>_ISSUER`, else `http://127.0.0.1:<env>_PORT`.
 */
export const BANK_ROWS = [
  { id: 'bank-a', name: 'Kaede Bank', adapter: 'kaede-v1', dpopKeyId: 'bank-a', maxRps: 50, maxConcurrency: 16, env: 'BANK_A', port: 4001, witness: 'bank-a.mock/witness' },
  { id: 'bank-b', name: 'Tsubame Bank', adapter: 'tsubame-v2', dpopKeyId: 'bank-b', maxRps: 20, maxConcurrency: 8, env: 'BANK_B', port: 4002, witness: 'bank-b.mock/witness' },
] as const;

/**
 * The bank's witness (C2SP tlog-witness at `<issuer>/witness`): its name (as the bank is configured,
 * `<ENV>_WITNESS_NAME`) and its public key, from `<ENV>_WITNESS_VKEY`, `<ENV>_WITNESS_JWK` or, in
 * development, the bank's public key file in the keys folder.
 */
export function bankWitness(bank: (typeof BANK_ROWS)[number], env: NodeJS.ProcessEnv, keysDir: string): { name: string; url: string; verifierKey: string } | undefined {
  const name = env[`${bank.env}_WITNESS_NAME`]?.trim() || bank.witness;
  const url = `${bankIssuer(bank, env)}/witness`;
  const vkey = env[`${bank.env}_WITNESS_VKEY`]?.trim();
  if (vkey) return { name, url, verifierKey: vkey };
  const fromEnv = env[`${bank.env}_WITNESS_JWK`]?.trim();
  const file = path.join(keysDir, `${bank.id}-witness.public.jwk.json`);
  const text = fromEnv || (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  if (text === undefined) return undefined;
  return { name, url, verifierKey: verifierKeyOfJwk(name, NOTE_COSIGNATURE_V1, JSON.parse(text) as JWK) };
}

/** The issuer of a seeded bank, from the environment the seed runs in. */
export function bankIssuer(bank: (typeof BANK_ROWS)[number], env: NodeJS.ProcessEnv): string {
  const issuer = env[`${bank.env}_ISSUER`];
  if (issuer !== undefined && issuer.trim() !== '') return issuer.trim().replace(/\/+$/, '');
  return `http://127.0.0.1:${env[`${bank.env}_PORT`] ?? bank.port}`;
}

export const DEMO_PURPOSES = ['account_opening', 'age_verification'];
export const DEMO_REDIRECT_URI = 'http://127.0.0.1:5555/callback';

const demoSchema = z.object({
  enterprise_id: z.string(),
  enterprise_key_id: z.string(),
  enterprise_key: z.string(),
  matcher_id: z.string(),
  matcher_key_id: z.string(),
  matcher_key: z.string(),
  operator_key_id: z.string(),
  operator_key: z.string(),
  auditor_key_id: z.string(),
  auditor_key: z.string(),
});

export type DemoSecrets = z.infer<typeof demoSchema>;

const newKey = (): string => `kyck_${randomBytes(32).toString('base64url')}`;

function loadDemoSecrets(file: string): DemoSecrets {
  if (existsSync(file)) return demoSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const secrets: DemoSecrets = {
    enterprise_id: newId('enterprise'),
    enterprise_key_id: newId('apiKey'),
    enterprise_key: newKey(),
    matcher_id: newId('enterprise'),
    matcher_key_id: newId('apiKey'),
    matcher_key: newKey(),
    operator_key_id: newId('apiKey'),
    operator_key: newKey(),
    auditor_key_id: newId('apiKey'),
    auditor_key: newKey(),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Bank rows always; with `demo`, the demo tenants, contracts and keys too. Safe to run again. */
export async function seed(
  prisma: PrismaService,
  config: BrokerConfig,
  options: { demo: boolean; keysDir: string; env?: NodeJS.ProcessEnv },
): Promise<DemoSecrets | undefined> {
  for (const row of BANK_ROWS) {
    const { env: _env, port: _port, witness: _witness, ...bank } = row;
    const issuer = bankIssuer(row, options.env ?? process.env);
    await prisma.bank.upsert({
      where: { id: bank.id },
      create: { ...bank, issuer },
      update: { name: bank.name, adapter: bank.adapter, dpopKeyId: bank.dpopKeyId, issuer },
    });
    const witness = bankWitness(row, options.env ?? process.env, options.keysDir);
    if (witness !== undefined) {
      await prisma.ledgerWitness.upsert({ where: { name: witness.name }, create: witness, update: { url: witness.url, verifierKey: witness.verifierKey } });
    }
  }
  if (!options.demo) return undefined;
  const demo = loadDemoSecrets(path.join(options.keysDir, 'demo.json'));
  const sealer = new Sealer(config.keys.tokenEncryptionKey, config.keys.tokenEncryptionPreviousKeys);
  const tenants = [
    { id: demo.enterprise_id, name: 'Demo Fintech', keyId: demo.enterprise_key_id, key: demo.enterprise_key, mode: 'full' as const },
    { id: demo.matcher_id, name: 'Demo Car Dealer', keyId: demo.matcher_key_id, key: demo.matcher_key, mode: 'match_only' as const },
  ];
  for (const t of tenants) {
    await prisma.enterprise.upsert({
      where: { id: t.id },
      create: {
        id: t.id,
        name: t.name,
        redirectUris: [DEMO_REDIRECT_URI],
        webhookSecretSealed: newWebhookSecret(sealer, t.id).sealed,
      },
      update: {},
    });
    await upsertKey(prisma, t.keyId, t.key, 'enterprise', t.id);
    for (const bank of BANK_ROWS) {
      const active = await prisma.contract.findFirst({ where: { enterpriseId: t.id, bankId: bank.id, status: 'active' } });
      if (active === null) {
        await prisma.contract.create({
          data: { id: newId('contract'), enterpriseId: t.id, bankId: bank.id, claims: [...CLAIM_NAMES], purposes: DEMO_PURPOSES, mode: t.mode },
        });
      }
    }
  }
  await upsertKey(prisma, demo.operator_key_id, demo.operator_key, 'operator');
  await upsertKey(prisma, demo.auditor_key_id, demo.auditor_key, 'auditor');
  return demo;
}

async function upsertKey(prisma: PrismaService, id: string, key: string, role: 'enterprise' | 'operator' | 'auditor', enterpriseId?: string): Promise<void> {
  await prisma.apiKey.upsert({
    where: { id },
    create: { id, role, enterpriseId: enterpriseId ?? null, keyHash: hashApiKey(key) },
    update: {},
  });
}
