import { z } from 'zod';
import { claimNameSchema } from './claims.js';
import { canonicalClaimsSchema, idaVerificationSchema } from './verified-claims.js';

/** Response shapes of the broker's API (SPEC §3–§5), for the OpenAPI document and for tests. */

const timestamp = z.iso.datetime({ precision: 3 });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  code: z.string().regex(/^[A-Z][A-Z_]+$/),
  request_id: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const verificationStatusSchema = z.enum(['pending', 'authorized', 'denied', 'expired', 'failed', 'revoked']);

export const verificationSchema = z.strictObject({
  id: z.string().regex(/^ver_[0-9a-f]{32}$/),
  status: verificationStatusSchema,
  bank_id: z.string(),
  claims: z.array(claimNameSchema),
  purpose: z.string(),
  mode: z.enum(['full', 'match_only']),
  created_at: timestamp,
  expires_at: timestamp,
  authorized_at: timestamp.optional(),
  access_expires_at: timestamp.optional(),
  ended_at: timestamp.optional(),
  error: z.string().optional(),
});

export const createdVerificationSchema = verificationSchema.extend({ authorization_url: z.url() });

export const claimMatchSchema = z.strictObject({
  result: z.enum(['match', 'partial', 'mismatch', 'unavailable']),
  score: z.number().int().min(0).max(100),
});

const matchReportSchema = z.partialRecord(claimNameSchema, claimMatchSchema);
const ledgerRefSchema = z.strictObject({ seq: z.number().int().min(0), leaf_hash: z.string().regex(/^[0-9a-f]{64}$/) });

export const identitySchema = z.strictObject({
  verification_id: z.string(),
  bank_id: z.string(),
  subject: z.string(),
  verified_claims: z.strictObject({ verification: idaVerificationSchema, claims: canonicalClaimsSchema }),
  match: matchReportSchema.optional(),
  disclosures: z.partialRecord(claimNameSchema, z.string()),
  ledger_entry: ledgerRefSchema,
});

export const matchOnlyIdentitySchema = z.strictObject({
  verification_id: z.string(),
  bank_id: z.string(),
  subject: z.string(),
  verification: idaVerificationSchema,
  match: matchReportSchema,
  ledger_entry: ledgerRefSchema,
});

export const enterpriseSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'suspended']),
  redirect_uris: z.array(z.string()),
  webhook_url: z.string().nullable(),
  created_at: timestamp,
});

export const createdEnterpriseSchema = enterpriseSchema.extend({ webhook_secret: z.string() });

/** A rotated webhook secret, shown once, and until when the previous one still signs deliveries. */
export const rotatedWebhookSecretSchema = z.strictObject({
  webhook_secret: z.string(),
  previous_valid_until: z.iso.datetime({ offset: true }),
});

export const issuedKeySchema = z.strictObject({
  id: z.string(),
  key: z.string(),
  role: z.enum(['enterprise', 'auditor', 'operator']),
  enterprise_id: z.string().optional(),
});

export const contractSchema = z.strictObject({
  id: z.string(),
  status: z.enum(['active', 'ended']),
  enterprise_id: z.string(),
  bank_id: z.string(),
  claims: z.array(claimNameSchema),
  purposes: z.array(z.string()),
  mode: z.enum(['full', 'match_only']),
  valid_from: timestamp.nullable(),
  valid_until: timestamp.nullable(),
  rate_limit_rps: z.number().int().nullable(),
  access_ttl_seconds: z.number().int().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const adminBankSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['open', 'closed']),
  issuer: z.string(),
  max_rps: z.number().int(),
  max_concurrency: z.number().int(),
});

export const enterpriseBankSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['open', 'closed']),
  /**
   * Right now, from the broker's shared flow control (no call to the bank): `closed` by the
   * operator, `unavailable` while its circuit is open after repeated failures, `paused` while its
   * own 429 holds calls back, `unknown` when the broker cannot tell.
   */
  availability: z.enum(['available', 'closed', 'unavailable', 'paused', 'unknown']),
  claims: z.array(claimNameSchema),
  purposes: z.array(z.string()),
  mode: z.enum(['full', 'match_only']),
});

export const listOf = <T extends z.ZodType>(item: T): z.ZodObject<{ data: z.ZodArray<T> }> => z.object({ data: z.array(item) });
