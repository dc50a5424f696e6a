import { z } from 'zod';
import { addressSchema } from './claims.js';

/** The IDA `verification` element (OpenID Connect for Identity Assurance 1.0) the broker releases. */
export const idaVerificationSchema = z.strictObject({
  trust_framework: z.literal('jp_aml'),
  time: z.string().optional(),
  verification_process: z.string().optional(),
  evidence: z
    .array(
      z.strictObject({
        type: z.literal('document'),
        check_details: z.array(z.strictObject({ check_method: z.string() })).optional(),
        document_details: z
          .strictObject({ type: z.string(), date_of_expiry: z.string().optional() })
          .optional(),
      }),
    )
    .optional(),
});

export type IdaVerification = z.infer<typeof idaVerificationSchema>;

export const canonicalClaimsSchema = z.strictObject({
  family_name: z.string().min(1).optional(),
  given_name: z.string().min(1).optional(),
  'family_name#ja-Kana-JP': z.string().min(1).optional(),
  'given_name#ja-Kana-JP': z.string().min(1).optional(),
  birthdate: z.iso.date().optional(),
  address: addressSchema.optional(),
});

export const verifiedClaimsSchema = z.strictObject({
  verification: idaVerificationSchema,
  claims: canonicalClaimsSchema,
});

export type VerifiedClaims = z.infer<typeof verifiedClaimsSchema>;
