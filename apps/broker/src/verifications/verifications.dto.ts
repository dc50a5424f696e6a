import { z } from 'zod';
import { applicantSchema, BANK_ID_PATTERN, claimListSchema } from '@kyc/common-schema';
import { purposeSchema } from '../admin/admin.dto.js';

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
    for (const name of Object.keys(body.applicant ?? {})) {
      if (!(body.claims as string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['applicant', name], message: 'only requested claims can be matched' });
      }
    }
  });

export type CreateVerification = z.infer<typeof createVerificationSchema>;

export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters');
