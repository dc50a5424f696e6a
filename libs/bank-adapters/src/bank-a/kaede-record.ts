import {
  hasText, normalizeBirthdate, normalizeKanaName, normalizeKanjiName, parseAddress, verificationFacts,
  type CanonicalClaims, type NormalizedIdentity,
} from '@kyc/identity-normalize';
import { kaedeCheckMethod, kaedeDocumentType } from './kaede-codes.js';

/** Kaede Bank (bank A) `GET /api/kyc/v1/customer` body (SPEC §6). Fields may be missing. */
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

/** Kaede Bank's KYC record → canonical claims and verification facts. Throws on anything half-valid. */
export function normalizeBankARecord(r: BankAKycRecord): NormalizedIdentity {
  const claims: CanonicalClaims = {};
  if (hasText(r.nameKanji)) {
    const n = normalizeKanjiName(r.nameKanji);
    claims.family_name = n.family;
    claims.given_name = n.given;
  }
  if (hasText(r.nameKana)) {
    const k = normalizeKanaName(r.nameKana);
    claims['family_name#ja-Kana-JP'] = k.family;
    claims['given_name#ja-Kana-JP'] = k.given;
  }
  if (hasText(r.birthDate)) claims.birthdate = normalizeBirthdate(r.birthDate);
  if (hasText(r.address)) claims.address = parseAddress(r.address);
  // The document first: a bad document code names `document_type` even when the time is missing.
  const document = hasText(r.idDocument?.type)
    ? { type: kaedeDocumentType(r.idDocument.type), expiry: r.idDocument.expiry }
    : undefined;
  const checkMethod = hasText(r.kycMethod) ? kaedeCheckMethod(r.kycMethod) : undefined;
  const verification = verificationFacts({ time: r.kycVerifiedAt, checkMethod, document });
  return { claims, verification };
}
