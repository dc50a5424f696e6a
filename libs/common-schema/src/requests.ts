import { z } from 'zod';
import { applicantSchema, claimListSchema } from './claims.js';
import { BANK_ID_PATTERN } from './ids.js';

/** Request bodies and headers of the broker's API (SPEC §3–§4), validated at the edge and documented in OpenAPI. */

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** `https`, or `http` on a loopback host only (RFC 8252 §7.3); absolute, no fragment, no credentials. */
export function isAllowedRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== '' || value.includes('#') || url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

const redirectUri = z
  .string()
  .max(2048)
  .refine(isAllowedRedirectUri, 'must be an absolute https URL, or http on a loopback host (RFC 8252), without fragment');

/** Shape only; where it may point is the broker's check (it depends on the deployment's settings). */
const webhookUrl = z.url({ protocol: /^https?$/ }).max(2048);

const name = z.string().trim().min(1).max(200);

export const purposeSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

export const createVerificationSchema = z
  .strictObject({
    bank_id: z.string().regex(BANK_ID_PATTERN, 'must be a bank id such as bank-a'),
    redirect_uri: z.string().min(1).max(2048),
    claims: claimListSchema,
    purpose: purposeSchema,
    state: z.string().min(1).max(512).optional(),
    applicant: applicantSchema.optional(),
  })
  .superRefine((body, ctx) => {
    for (const claim of Object.keys(body.applicant ?? {})) {
      if (!(body.claims as string[]).includes(claim)) {
        ctx.addIssue({ code: 'custom', path: ['applicant', claim], message: 'only requested claims can be matched' });
      }
    }
  });

export type CreateVerification = z.infer<typeof createVerificationSchema>;

export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters');

export const createEnterpriseSchema = z.strictObject({
  name,
  redirect_uris: z.array(redirectUri).min(1).max(20),
  webhook_url: webhookUrl.optional(),
});

export const patchEnterpriseSchema = z
  .strictObject({
    status: z.enum(['active', 'suspended']).optional(),
    redirect_uris: z.array(redirectUri).min(1).max(20).optional(),
    webhook_url: webhookUrl.nullable().optional(),
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

export type CreateEnterprise = z.infer<typeof createEnterpriseSchema>;
export type PatchEnterprise = z.infer<typeof patchEnterpriseSchema>;
export type CreateContract = z.infer<typeof createContractSchema>;
export type PatchContract = z.infer<typeof patchContractSchema>;
export type ContractFilter = z.infer<typeof contractFilterSchema>;
export type PatchBank = z.infer<typeof patchBankSchema>;
