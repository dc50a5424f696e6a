import type { CanonicalClaims, ClaimMatch, ClaimName } from '@kyc/common-schema';
import type { AddressPartsInput } from './address.js';
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
