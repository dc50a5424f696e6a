import { z } from 'zod';
import { CLAIM_NAMES as KYC_CLAIMS, type ClaimName as KycClaim } from '@kyc/common-schema';

export const KYC_RELEASE_TYPE = 'kyc_release';

/** The claims vocabulary is the broker's common one: what the bank may be asked to release. */
export { KYC_CLAIMS, type KycClaim };

export const CLAIM_LABELS: Readonly<Record<KycClaim, string>> = {
  family_name: '氏名（姓） Family name',
  given_name: '氏名（名） Given name',
  'family_name#ja-Kana-JP': 'フリガナ（姓） Family name in kana',
  'given_name#ja-Kana-JP': 'フリガナ（名） Given name in kana',
  birthdate: '生年月日 Date of birth',
  address: '住所 Address',
};

/** RFC 9396 authorization details the broker pushes: who receives which data, for what purpose. */
export const kycReleaseSchema = z.strictObject({
  type: z.literal(KYC_RELEASE_TYPE),
  enterprise: z.strictObject({
    id: z.string().regex(/^ent_[A-Za-z0-9_-]{1,64}$/),
    name: z.string().min(1).max(200),
  }),
  purpose: z.string().min(1).max(500),
  claims: z
    .array(z.enum(KYC_CLAIMS))
    .min(1)
    .refine((claims) => new Set(claims).size === claims.length, { message: 'claims must be unique' }),
});
export type KycRelease = z.infer<typeof kycReleaseSchema>;

/** The single kyc_release detail of a token or request, or undefined when absent or malformed. */
export function kycReleaseOf(details: unknown): KycRelease | undefined {
  if (!Array.isArray(details) || details.length !== 1) return undefined;
  const parsed = kycReleaseSchema.safeParse(details[0]);
  return parsed.success ? parsed.data : undefined;
}
