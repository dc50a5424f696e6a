import { z } from 'zod';
import { BANK_ID_PATTERN, claimListSchema } from '@kyc/common-schema';
import { isAllowedRedirectUri } from '../verifications/redirect-uri.js';

const redirectUri = z
  .string()
  .max(2048)
  .refine(isAllowedRedirectUri, 'must be an absolute https URL, or http on a loopback host (RFC 8252), without fragment');

const name = z.string().trim().min(1).max(200);
export const purposeSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

export const createEnterpriseSchema = z.strictObject({
  name,
  redirect_uris: z.array(redirectUri).min(1).max(20),
  webhook_url: redirectUri.optional(),
});

export const patchEnterpriseSchema = z
  .strictObject({
    status: z.enum(['active', 'suspended']).optional(),
    redirect_uris: z.array(redirectUri).min(1).max(20).optional(),
    webhook_url: redirectUri.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

export const createStaffKeySchema = z.strictObject({ role: z.enum(['auditor', 'operator']) });

const timestamp = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const contractFields = {
  claims: claimListSchema,
  purposes: z
    .array(purposeSchema)
    .min(1)
    .max(50)
    .refine((l) => new Set(l).size === l.length, 'purposes must not repeat'),
  valid_from: timestamp.nullable().optional(),
  valid_until: timestamp.nullable().optional(),
  rate_limit_rps: z.number().int().min(1).max(100_000).nullable().optional(),
  access_ttl_seconds: z.number().int().min(60).max(86_400).nullable().optional(),
};

const windowIsOrdered = (b: { valid_from?: Date | null; valid_until?: Date | null }): boolean =>
  !(b.valid_from && b.valid_until) || b.valid_from < b.valid_until;

export const createContractSchema = z
  .strictObject({
    enterprise_id: z.string().min(1).max(64),
    bank_id: z.string().regex(BANK_ID_PATTERN),
    mode: z.enum(['full', 'match_only']),
    ...contractFields,
  })
  .refine(windowIsOrdered, { message: 'valid_from must be before valid_until', path: ['valid_until'] });

export const patchContractSchema = z
  .strictObject({
    claims: contractFields.claims.optional(),
    purposes: contractFields.purposes.optional(),
    valid_from: contractFields.valid_from,
    valid_until: contractFields.valid_until,
    rate_limit_rps: contractFields.rate_limit_rps,
    access_ttl_seconds: contractFields.access_ttl_seconds,
    status: z.literal('ended').optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change')
  .refine(windowIsOrdered, { message: 'valid_from must be before valid_until', path: ['valid_until'] });

export const contractFilterSchema = z.strictObject({
  enterprise_id: z.string().max(64).optional(),
  bank_id: z.string().max(32).optional(),
  status: z.enum(['active', 'ended']).optional(),
});

export const patchBankSchema = z
  .strictObject({
    status: z.enum(['open', 'closed']).optional(),
    max_rps: z.number().int().min(1).max(100_000).optional(),
    max_concurrency: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

export const deliveryFilterSchema = z.strictObject({ status: z.enum(['pending', 'delivered', 'failed']).optional() });
