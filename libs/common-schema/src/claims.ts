import { z } from 'zod';

/** The claims vocabulary of SPEC §4. */
export const CLAIM_NAMES = [
  'family_name',
  'given_name',
  'family_name#ja-Kana-JP',
  'given_name#ja-Kana-JP',
  'birthdate',
  'address',
] as const;

export type ClaimName = (typeof CLAIM_NAMES)[number];

export const claimNameSchema = z.enum(CLAIM_NAMES);

export const claimListSchema = z
  .array(claimNameSchema)
  .min(1)
  .max(CLAIM_NAMES.length)
  .refine((list) => new Set(list).size === list.length, 'claims must not repeat');

export const addressSchema = z.strictObject({
  postal_code: z.string().optional(),
  region: z.string().optional(),
  locality: z.string().optional(),
  street_address: z.string().optional(),
  country: z.literal('JP').optional(),
  formatted: z.string().optional(),
});

export type AddressClaim = z.infer<typeof addressSchema>;

/** Released claims in canonical form (SPEC §5). Absent data is absent, never null or "". */
export interface CanonicalClaims {
  family_name?: string;
  given_name?: string;
  'family_name#ja-Kana-JP'?: string;
  'given_name#ja-Kana-JP'?: string;
  birthdate?: string;
  address?: AddressClaim;
}

const applicantText = z.string().trim().min(1).max(200);

/** What the customer declared to the enterprise, for matching (SPEC §4 `applicant`). */
export const applicantSchema = z.strictObject({
  family_name: applicantText.optional(),
  given_name: applicantText.optional(),
  'family_name#ja-Kana-JP': applicantText.optional(),
  'given_name#ja-Kana-JP': applicantText.optional(),
  birthdate: applicantText.optional(),
  address: z
    .strictObject({
      postal_code: applicantText.optional(),
      region: applicantText.optional(),
      locality: applicantText.optional(),
      street_address: applicantText.optional(),
      country: applicantText.optional(),
      formatted: applicantText.optional(),
    })
    .refine((a) => Object.keys(a).length > 0, 'address needs at least one part')
    .optional(),
});

export type Applicant = z.infer<typeof applicantSchema>;

export type MatchResult = 'match' | 'partial' | 'mismatch' | 'unavailable';

export interface ClaimMatch {
  result: MatchResult;
  score: number;
}
