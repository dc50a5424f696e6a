import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readSecret } from './key-material.js';

const port = z.coerce.number().int().min(1).max(65535);
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const jwk = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.looseObject({ kty: z.string(), kid: z.string().optional(), d: z.string() }));
const key32 = z
  .string()
  .transform((s) => Buffer.from(s, 'base64url'))
  .refine((b) => b.length === 32, 'must be 32 bytes, base64url');

const FAILPOINTS = ['crash-after-outbox-commit', 'crash-before-ledger-commit'] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Logs go to stdout unless a file is named (appended to).
  LOG_FILE: z.string().min(1).optional(),
  BROKER_PORT: port.default(3000),
  // Processes sharing the port (node:cluster); 0 means one per core (docs/performance.md).
  // Who may read /metrics and /docs (with /openapi.json); production defaults: operator keys only, and off.
  METRICS_ACCESS: z.enum(['public', 'operator', 'off']).optional(),
  API_DOCS: z.enum(['public', 'off']).optional(),
  BROKER_WORKERS: z.coerce.number().int().min(0).max(64).default(0),
  BROKER_PUBLIC_URL: url.default('http://127.0.0.1:3000'),
  // The runtime role (docs/adr/0011): it reads the ledger and appends only through ledger_append.
  DATABASE_URL: z.string().startsWith('postgresql://').default('postgresql://kyc_app@127.0.0.1:5432/kyc_broker'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DATABASE_READ_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(2),
  LEDGER_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(2),
  LEDGER_BATCH_MAX: z.coerce.number().int().min(1).max(5_000).default(500),
  LEDGER_BATCH_WAIT_MS: z.coerce.number().min(0).max(50).default(1),
  LEDGER_ORIGIN: z.string().regex(/^[\x21-\x2a\x2c-\x7e]+$/, 'must be printable ASCII without spaces or +').optional(),
  WITNESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  REDIS_URL: z.string().startsWith('redis://').default('redis://127.0.0.1:6379'),
  OPERATOR_BOOTSTRAP_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  KEYS_DIR: z.string().default('.keys'),
  BIND_HOST: z.string().default('127.0.0.1'),
  VERIFICATION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(600),
  DEFAULT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  BANK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  BANK_WAIT_BUDGET_MS: z.coerce.number().int().min(0).max(30_000).default(1_000),
  BANK_REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  BANK_RATE_WINDOW_MARGIN_MS: z.coerce.number().int().min(0).max(500).default(30),
  CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
  CIRCUIT_COOLDOWN_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  ENTERPRISE_RATE_LIMIT_RPS: z.coerce.number().int().min(1).max(100_000).default(100),
  // Auditor and operator keys, per key; the public consent routes, per client address and per verification.
  STAFF_RATE_LIMIT_RPS: z.coerce.number().int().min(1).max(100_000).default(20),
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
  AUTHORIZE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  // Unknown or revoked API keys one client address may present per minute before every key it
  // presents that is not already known to the instance is refused with 429 for a minute.
  AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  // The HTTP server's own limits against slow clients (slow-loris): headers, whole request, idle keep-alive.
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  // SIGTERM: how long in-flight requests may take to finish before their connections are cut.
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  // Development only: webhooks may go to loopback addresses (private and metadata ranges never).
  WEBHOOK_ALLOW_LOOPBACK: z.stringbool().default(false),
  // After a webhook secret rotation, how long deliveries are signed with the previous secret too.
  WEBHOOK_SECRET_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(30 * 86_400).default(86_400),
  // How often each instance re-queues pending webhook events and bank revocations (the outbox relay).
  OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  // Fault injection for `npm run chaos`, refused in production: the process kills itself (SIGKILL)
  // at the named point: after a change and its outbox row committed, before the event is queued; or
  // with a ledger batch of releases appended inside its transaction, before COMMIT.
  BROKER_FAILPOINT: z.enum(FAILPOINTS).optional(),
});

const keysSchema = z.object({
  clientAuthJwk: jwk,
  /** DPoP keys by key id (a bank row's `dpop_key_id`). */
  dpopJwks: z.record(z.string(), jwk),
  tokenEncryptionKey: key32,
  /** Earlier sealing keys, still opening what they sealed (TOKEN_ENCRYPTION_PREVIOUS_KEYS, comma-separated). */
  tokenEncryptionPreviousKeys: z.array(key32),
  subjectKey: key32,
  ledgerSigningJwk: jwk,
});

export type PrivateJwk = z.infer<typeof jwk>;

export interface BrokerConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly logLevel: string;
  /** Where logs go instead of stdout, when set. */
  readonly logFile: string | undefined;
  readonly port: number;
  /** Worker processes sharing the port; one per core when the setting is 0. */
  readonly workers: number;
  /** Who reaches the operational endpoints: /metrics, and /docs with /openapi.json. */
  readonly exposure: { readonly metrics: 'public' | 'operator' | 'off'; readonly docs: 'public' | 'off' };
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly operatorBootstrapKey: string | undefined;
  readonly keysDir: string;
  /** Interface to listen on: loopback by default, `0.0.0.0` in containers. */
  readonly bindHost: string;
  readonly verificationTtlSeconds: number;
  readonly defaultAccessTtlSeconds: number;
  readonly bankTimeoutMs: number;
  /** How often expired verifications are ended and their tokens deleted. */
  readonly sweepIntervalMs: number;
  readonly flow: {
    /** How long a request may wait for a bank slot before it is shed with BANK_BUSY. */
    readonly waitBudgetMs: number;
    /** The whole budget of one bank call, retries included. */
    readonly requestDeadlineMs: number;
    /** Added to the 1 s rate window to absorb jitter between admission and the bank's own count. */
    readonly rateWindowMarginMs: number;
    readonly circuitFailureThreshold: number;
    readonly circuitCooldownMs: number;
  };
  /** Inbound requests per second per enterprise (a contract's rate_limit_rps applies to its bank). */
  readonly enterpriseRateLimitRps: number;
  /**
   * The other inbound limits (@nestjs/throttler, counted in Redis): per auditor or operator key per
   * second; on the public consent routes per client address per minute, and per verification per
   * minute on its authorization URL.
   */
  readonly inbound: { readonly staffRps: number; readonly addressPerMinute: number; readonly authorizePerMinute: number; readonly authFailuresPerMinute: number };
  /** On SIGTERM, how long in-flight requests may take before their connections are cut. */
  readonly shutdownGraceMs: number;
  /** The HTTP server's timeouts: headers, whole request, idle keep-alive connection. */
  readonly http: { readonly headersTimeoutMs: number; readonly requestTimeoutMs: number; readonly keepAliveTimeoutMs: number };
  /** Connections of the general database pool (Prisma), and of the bulk-read pool (audit statistics and export). */
  readonly databasePoolSize: number;
  readonly readPoolSize: number;
  /**
   * The ledger appender: its own connections (so reads never queue behind appends), the most
   * entries one group commit writes, and how long a batch waits for company once a commit is in
   * flight.
   */
  readonly ledger: { readonly poolSize: number; readonly batchMax: number; readonly batchWaitMs: number; readonly origin: string };
  /** Asking a witness to cosign a checkpoint: the per-request timeout (a missing cosignature is asked for again at the next scheduled checkpoint). */
  readonly witnesses: { readonly timeoutMs: number };
  /** How often a ledger checkpoint is signed (one job across all instances). */
  readonly checkpointIntervalMs: number;
  /** A fault-injection point (never in production): where the process kills itself. */
  readonly failpoint: Failpoint | undefined;
  /** Webhook delivery: attempts before giving up, and the first backoff (doubling each time). */
  readonly webhooks: {
    readonly attempts: number;
    readonly backoffMs: number;
    /** Whether a webhook URL may point at a loopback address (development and tests only). */
    readonly allowLoopback: boolean;
    /** How often the outbox relay re-queues pending events (and bank revocations). */
    readonly relayIntervalMs: number;
    /** After a secret rotation, how long the previous secret signs deliveries too. */
    readonly secretOverlapSeconds: number;
  };
  readonly keys: z.infer<typeof keysSchema>;
}

export const BROKER_CONFIG = Symbol('BROKER_CONFIG');

const DPOP_VARIABLE = /^DPOP_JWK_([A-Z0-9_]+)$/;
const DPOP_FILE = /^dpop-([a-z0-9-]+)\.jwk\.json$/;

/**
 * The DPoP keys, by key id: every `DPOP_JWK_<ID>` variable (`DPOP_JWK_BANK_A` → `bank-a`) and every
 * `dpop-<id>.jwk.json` in the keys folder (a variable wins over a file of the same id). A bank's row
 * names the key it uses (`dpop_key_id`), so no bank id is written here.
 */
function dpopSecrets(env: NodeJS.ProcessEnv, keysDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let files: string[] = [];
  try {
    files = readdirSync(path.resolve(keysDir));
  } catch {
    // No keys folder: the keys come from the environment only.
  }
  for (const file of files) {
    const id = DPOP_FILE.exec(file)?.[1];
    if (id !== undefined) out[id] = readFileSync(path.resolve(keysDir, file), 'utf8').trim();
  }
  for (const [variable, value] of Object.entries(env)) {
    const id = DPOP_VARIABLE.exec(variable)?.[1];
    if (id !== undefined && value !== undefined && value.trim() !== '') out[id.toLowerCase().replaceAll('_', '-')] = value.trim();
  }
  return out;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates the broker's whole configuration once, at start. Nothing else reads process.env. */
export function loadBrokerConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid configuration: ${formatIssues(parsed.error)}`);
  const e = parsed.data;
  if (e.BROKER_FAILPOINT !== undefined && e.NODE_ENV === 'production') throw new Error('invalid configuration: BROKER_FAILPOINT: not allowed in production');
  const secret = (variable: string, file: string): string => readSecret(env, variable, e.KEYS_DIR, file);
  const keys = keysSchema.safeParse({
    clientAuthJwk: secret('BROKER_CLIENT_AUTH_JWK', 'broker-client-auth.jwk.json'),
    dpopJwks: dpopSecrets(env, e.KEYS_DIR),
    tokenEncryptionKey: secret('TOKEN_ENCRYPTION_KEY', 'token-encryption.key'),
    tokenEncryptionPreviousKeys: (env['TOKEN_ENCRYPTION_PREVIOUS_KEYS'] ?? '').split(',').map((k) => k.trim()).filter((k) => k !== ''),
    subjectKey: secret('SUBJECT_KEY', 'subject.key'),
    ledgerSigningJwk: secret('LEDGER_SIGNING_JWK', 'ledger-signing.jwk.json'),
  });
  if (!keys.success) throw new Error(`invalid key material: ${formatIssues(keys.error)}`);
  if (keys.data.ledgerSigningJwk.kty !== 'OKP') throw new Error('invalid key material: the ledger signing key must be Ed25519');
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    port: e.BROKER_PORT,
    workers: e.BROKER_WORKERS === 0 ? availableParallelism() : e.BROKER_WORKERS,
    exposure: {
      metrics: e.METRICS_ACCESS ?? (e.NODE_ENV === 'production' ? 'operator' : 'public'),
      docs: e.API_DOCS ?? (e.NODE_ENV === 'production' ? 'off' : 'public'),
    },
    publicUrl: e.BROKER_PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    readPoolSize: e.DATABASE_READ_POOL_SIZE,
    ledger: {
      poolSize: e.LEDGER_POOL_SIZE,
      batchMax: e.LEDGER_BATCH_MAX,
      batchWaitMs: e.LEDGER_BATCH_WAIT_MS,
      origin: e.LEDGER_ORIGIN ?? `${new URL(e.BROKER_PUBLIC_URL).host}/kyc-ledger`,
    },
    witnesses: { timeoutMs: e.WITNESS_TIMEOUT_MS },
    redisUrl: e.REDIS_URL,
    operatorBootstrapKey: e.OPERATOR_BOOTSTRAP_KEY,
    keysDir: e.KEYS_DIR,
    bindHost: e.BIND_HOST,
    verificationTtlSeconds: e.VERIFICATION_TTL_SECONDS,
    defaultAccessTtlSeconds: e.DEFAULT_ACCESS_TTL_SECONDS,
    bankTimeoutMs: e.BANK_TIMEOUT_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    flow: {
      waitBudgetMs: e.BANK_WAIT_BUDGET_MS,
      requestDeadlineMs: e.BANK_REQUEST_DEADLINE_MS,
      rateWindowMarginMs: e.BANK_RATE_WINDOW_MARGIN_MS,
      circuitFailureThreshold: e.CIRCUIT_FAILURE_THRESHOLD,
      circuitCooldownMs: e.CIRCUIT_COOLDOWN_MS,
    },
    enterpriseRateLimitRps: e.ENTERPRISE_RATE_LIMIT_RPS,
    inbound: { staffRps: e.STAFF_RATE_LIMIT_RPS, addressPerMinute: e.PUBLIC_RATE_LIMIT_PER_MINUTE, authorizePerMinute: e.AUTHORIZE_RATE_LIMIT_PER_MINUTE, authFailuresPerMinute: e.AUTH_FAILURE_LIMIT_PER_MINUTE },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS },
    checkpointIntervalMs: e.CHECKPOINT_INTERVAL_MS,
    webhooks: { attempts: e.WEBHOOK_ATTEMPTS, backoffMs: e.WEBHOOK_BACKOFF_MS, allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK, relayIntervalMs: e.OUTBOX_RELAY_INTERVAL_MS, secretOverlapSeconds: e.WEBHOOK_SECRET_OVERLAP_SECONDS },
    failpoint: e.BROKER_FAILPOINT,
    keys: keys.data,
  };
}
