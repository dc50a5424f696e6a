import type { CanonicalClaims, ClaimMatch, ClaimName } from '@kyc/common-schema';
import type { AddressPartsInput, SplitAddressInput } from './address.js';
import type { IdaCheckMethod, IdaDocumentType } from './documents.js';

// The claim vocabulary and the released shapes are the common API's (libs/common-schema).
export { CLAIM_NAMES } from '@kyc/common-schema';
export type { CanonicalClaims, ClaimMatch, ClaimName, MatchResult } from '@kyc/common-schema';

/** What an enterprise says about its applicant: any spelling, era dates, hiragana, one-string addresses. */
export interface ApplicantClaims {
  family_name?: string;
  given_name?: string;
  'family_name#ja-Kana-JP'?: string;
  'given_name#ja-Kana-JP'?: string;
  birthdate?: string;
  address?: string | AddressPartsInput;
}

export type MatchReport = { [K in ClaimName]?: ClaimMatch };

/** The IDA `verification` facts a bank payload carries, normalized. */
export interface NormalizedVerification {
  /** UTC RFC 3339 with milliseconds. */
  time: string;
  check_method?: IdaCheckMethod;
  document?: { type: IdaDocumentType; date_of_expiry?: string };
}

export interface NormalizedIdentity {
  claims: CanonicalClaims;
  verification: NormalizedVerification;
}

/** Bank A (Kaede Bank) `GET /api/kyc/v1/customer` body (SPEC §6). Fields may be missing. */
export interface BankAKycRecord {
  customerNumber?: string;
  nameKanji?: string;
  nameKana?: string;
  birthDate?: string;
  address?: string;
  kycStatus?: string;
  kycVerifiedAt?: string;
  kycMethod?: string;
  idDocument?: { type?: string; expiry?: string };
}

/** Bank B (Tsubame Bank) inquiry `body` (SPEC §6). Fields may be missing. */
export interface BankBIdentityBody {
  shimei?: { sei?: string; mei?: string };
  shimeiKana?: string;
  seinengappi?: string;
  jusho?: SplitAddressInput;
  honninKakunin?: { kubun?: string; kakuninBi?: string };
}
