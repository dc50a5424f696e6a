import {
  hasText, normalizeBirthdate, normalizeKanaName, normalizeNamePart, normalizeSplitAddress, verificationFacts,
  type CanonicalClaims, type NormalizedIdentity, type SplitAddressInput,
} from '@kyc/identity-normalize';
import { tsubameDocumentType } from './tsubame-codes.js';

/** Tsubame Bank (bank B) inquiry `body` (SPEC §6). Fields may be missing. */
export interface BankBIdentityBody {
  shimei?: { sei?: string; mei?: string };
  shimeiKana?: string;
  seinengappi?: string;
  jusho?: SplitAddressInput;
  honninKakunin?: { kubun?: string; kakuninBi?: string };
}

/** Tsubame Bank's inquiry body → canonical claims and verification facts. Throws on anything half-valid. */
export function normalizeBankBBody(b: BankBIdentityBody): NormalizedIdentity {
  const claims: CanonicalClaims = {};
  // The bank releases each part only when it was consented, so one may come without the other.
  if (hasText(b.shimei?.sei)) claims.family_name = normalizeNamePart(b.shimei.sei, 'family_name');
  if (hasText(b.shimei?.mei)) claims.given_name = normalizeNamePart(b.shimei.mei, 'given_name');
  if (hasText(b.shimeiKana)) {
    const k = normalizeKanaName(b.shimeiKana);
    claims['family_name#ja-Kana-JP'] = k.family;
    claims['given_name#ja-Kana-JP'] = k.given;
  }
  if (hasText(b.seinengappi)) claims.birthdate = normalizeBirthdate(b.seinengappi);
  if (b.jusho) claims.address = normalizeSplitAddress(b.jusho);
  // The bank states the document (`kubun`) and the date it checked it; no method, no expiry.
  const kubun = b.honninKakunin?.kubun;
  const document = hasText(kubun) ? { type: tsubameDocumentType(kubun) } : undefined;
  const verification = verificationFacts({ time: b.honninKakunin?.kakuninBi, document });
  return { claims, verification };
}
