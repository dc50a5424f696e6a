import type { AddressPartsInput, CanonicalAddress, SplitAddressInput } from './address.js';
import type { IdaCheckMethod, IdaDocumentType } from './documents.js';

/** Claims exactly as the broker releases them (SPEC §5). Absent data is an absent key. */
export interface CanonicalClaims {
  family_name?: string;
  given_name?: string;
  'family_name#ja-Kana-JP'?: string;
  'given_name#ja-Kana-JP'?: string;
  birthdate?: string;
  address?: CanonicalAddress;
}

export type ClaimName = keyof CanonicalClaims;

export const CLAIM_NAMES: readonly ClaimName[] = [
  'family_name',
  'given_name',
  'family_name#ja-Kana-JP',
  'given_name#ja-Kana-JP',
  'birthdate',
  'address',
];

/** What an enterprise says about its applicant: any spelling, era dates, hiragana, one-string addresses. */
export interface ApplicantClaims {
  family_name?: string;
  given_name?: string;
  'family_name#ja-Kana-JP'?: string;
  'given_name#ja-Kana-JP'?: string;
  birthdate?: string;
  address?: string | AddressPartsInput;
}

export type MatchResult = 'match' | 'partial' | 'mismatch' | 'unavailable';

export interface ClaimMatch {
  result: MatchResult;
  /** 0..100; 100 exactly when `result` is `match`. */
  score: number;
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
