import { z } from 'zod';

const cliEnvSchema = z.object({
  KYC_BROKER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
  KYC_OPERATOR_KEY: z.string().min(16).optional(),
});

/** The CLI is a client of the broker's HTTP API: its configuration is where the broker is and which key to use. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): { url: string; key: string | undefined } {
  const parsed = cliEnvSchema.parse(env);
  return { url: parsed.KYC_BROKER_URL.replace(/\/+$/, ''), key: parsed.KYC_OPERATOR_KEY };
}

const auditEnvSchema = z.object({ AUDITOR_KEY: z.string().min(1).optional() });

/** The ledger monitor (`npm run audit:verify`) takes its auditor key from `--key` or from here. */
export function loadAuditorKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return auditEnvSchema.parse(env).AUDITOR_KEY;
}
