export { NormalizationError, type NormalizationReason } from './errors.js';
export { nfkc, normalizeHyphens, toHalfWidthAscii, foldWhitespace, stripWhitespace, normalizeText } from './text.js';
export {
  toFullWidthKatakana, hiraganaToKatakana, canonicalKana, splitKanaName, foldKanaForComparison,
} from './kana.js';
export { kanjiToNumber } from './numerals.js';
export {
  ERAS, parseDate, toEraDate, toEraParts, jstMidnightUtc, toUtcTimestamp, isValidDate,
  type EraName, type EraLetter, type EraDateParts,
} from './era.js';
export { PREFECTURES, DESIGNATED_CITIES, TOKYO_WARDS, type Prefecture } from './address-data.js';
export {
  normalizePostalCode, parseAddress, normalizeSplitAddress, normalizeAddressParts, normalizeStreetAddress,
  splitLocality, formatAddress, isPrefecture,
  type CanonicalAddress, type SplitAddressInput, type AddressPartsInput, type ParseAddressOptions,
} from './address.js';
export { mapCode, type IdaDocumentType, type IdaCheckMethod } from './documents.js';
export { KANJI_VARIANT_ROWS, foldKanjiVariants, foldPlaceName } from './variants.js';
export { normalizeKanjiName, normalizeKanaName, normalizeNamePart, type NameParts } from './names.js';
export {
  normalizeBirthdate, normalizeAddress, normalizeVerificationTime, verificationFacts, hasText,
  type VerificationFactsInput,
} from './normalize.js';
export { matchClaims, compareAddresses, addressKey, canonicalAddressKey, nameKey, type AddressKey } from './match.js';
export {
  CLAIM_NAMES,
  type CanonicalClaims, type ClaimName, type ApplicantClaims, type MatchResult, type ClaimMatch, type MatchReport,
  type NormalizedVerification, type NormalizedIdentity,
} from './types.js';
