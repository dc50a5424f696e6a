import {
  normalizeAddressParts, normalizeSplitAddress, parseAddress,
  type AddressPartsInput, type CanonicalAddress, type SplitAddressInput,
} from './address.js';
import { jstMidnightUtc, parseDate, toUtcTimestamp } from './era.js';
import { NormalizationError } from './errors.js';
import { toIdaCheckMethod, toIdaDocumentType, type IdaDocumentType } from './documents.js';
import { namePart, normalizeKanaName, normalizeKanjiName } from './names.js';
import type {
  BankAKycRecord, BankBIdentityBody, CanonicalClaims, NormalizedIdentity, NormalizedVerification,
} from './types.js';

/** A birthdate in ISO, slash or era form → `YYYY-MM-DD`. */
export function normalizeBirthdate(input: string): string {
  return parseDate(input, 'birthdate');
}

/** A one-string address, bank B's split form, or OIDC-style parts → the canonical address claim. */
export function normalizeAddress(input: string | SplitAddressInput | AddressPartsInput): CanonicalAddress {
  if (typeof input === 'string') return parseAddress(input);
  if ('yubinBango' in input || 'todofuken' in input || 'shikuchoson' in input || 'banchi' in input) {
    return normalizeSplitAddress(input);
  }
  return normalizeAddressParts(input as AddressPartsInput);
}

/** A verification timestamp (any offset; none = JST) or a date (ISO or era; midnight JST) → UTC. */
export function normalizeVerificationTime(input: string): string {
  return toUtcTimestamp(input, 'verification_time');
}

/** Re-export under the name the adapters read best. */
export { jstMidnightUtc };

const given = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function document(type: string | undefined, expiry: string | undefined): NormalizedVerification['document'] {
  if (!given(type)) return undefined;
  const out: { type: IdaDocumentType; date_of_expiry?: string } = { type: toIdaDocumentType(type) };
  if (given(expiry)) out.date_of_expiry = parseDate(expiry, 'document_expiry');
  return out;
}

function verification(time: string | undefined, method: string | undefined, doc: NormalizedVerification['document']): NormalizedVerification {
  if (!given(time)) throw new NormalizationError('verification_time', 'empty');
  const out: NormalizedVerification = { time: normalizeVerificationTime(time) };
  if (given(method)) out.check_method = toIdaCheckMethod(method);
  if (doc) out.document = doc;
  return out;
}

/** Bank A's KYC record → canonical claims and verification facts. Throws on anything half-valid. */
export function normalizeBankARecord(r: BankAKycRecord): NormalizedIdentity {
  const claims: CanonicalClaims = {};
  if (given(r.nameKanji)) {
    const n = normalizeKanjiName(r.nameKanji);
    claims.family_name = n.family;
    claims.given_name = n.given;
  }
  if (given(r.nameKana)) {
    const k = normalizeKanaName(r.nameKana);
    claims['family_name#ja-Kana-JP'] = k.family;
    claims['given_name#ja-Kana-JP'] = k.given;
  }
  if (given(r.birthDate)) claims.birthdate = normalizeBirthdate(r.birthDate);
  if (given(r.address)) claims.address = parseAddress(r.address);
  const doc = document(r.idDocument?.type, r.idDocument?.expiry);
  return { claims, verification: verification(r.kycVerifiedAt, r.kycMethod, doc) };
}

/** Bank B's inquiry body → canonical claims and verification facts. Throws on anything half-valid. */
export function normalizeBankBBody(b: BankBIdentityBody): NormalizedIdentity {
  const claims: CanonicalClaims = {};
  // The bank releases each part only when it was consented, so one may come without the other.
  if (given(b.shimei?.sei)) claims.family_name = namePart(b.shimei.sei, 'family_name');
  if (given(b.shimei?.mei)) claims.given_name = namePart(b.shimei.mei, 'given_name');
  if (given(b.shimeiKana)) {
    const k = normalizeKanaName(b.shimeiKana);
    claims['family_name#ja-Kana-JP'] = k.family;
    claims['given_name#ja-Kana-JP'] = k.given;
  }
  if (given(b.seinengappi)) claims.birthdate = normalizeBirthdate(b.seinengappi);
  if (b.jusho) claims.address = normalizeSplitAddress(b.jusho);
  const doc = document(b.honninKakunin?.kubun, undefined);
  return { claims, verification: verification(b.honninKakunin?.kakuninBi, undefined, doc) };
}
