import {
  normalizeAddressParts, normalizeSplitAddress, parseAddress,
  type AddressPartsInput, type CanonicalAddress, type SplitAddressInput,
} from './address.js';
import { jstMidnightUtc, parseDate, toUtcTimestamp } from './era.js';
import { NormalizationError } from './errors.js';
import { toIdaCheckMethod, toIdaDocumentType, type IdaDocumentType } from './documents.js';
import type { NormalizedVerification } from './types.js';

/** A birthdate in ISO, slash or era form → `YYYY-MM-DD`. */
export function normalizeBirthdate(input: string): string {
  return parseDate(input, 'birthdate');
}

/** A one-string address, the split form, or OIDC-style parts → the canonical address claim. */
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

/** True for a string with something in it besides whitespace: absent and blank values are "not said". */
export function hasText(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

/** What a payload says about how an identity was verified, as written (codes, dates in any form). */
export interface VerificationFactsInput {
  /** When: a timestamp (any offset; none = JST) or a date (ISO or era). Required. */
  time?: string;
  /** How the document was checked: a `toIdaCheckMethod` code. Optional. */
  method?: string;
  /** Which document: a `toIdaDocumentType` code. Optional. */
  documentType?: string;
  /** The document's expiry date (ISO, slash or era). Used only with a document type. */
  documentExpiry?: string;
}

/**
 * The IDA verification facts of a payload, normalized: time in UTC, the IDA check method and
 * document type, the expiry as `YYYY-MM-DD`. Absent or blank optional parts stay absent; a missing
 * time or an unknown code throws a `NormalizationError` naming the field.
 */
export function verificationFacts({ time, method, documentType, documentExpiry }: VerificationFactsInput): NormalizedVerification {
  let document: NormalizedVerification['document'];
  if (hasText(documentType)) {
    const doc: { type: IdaDocumentType; date_of_expiry?: string } = { type: toIdaDocumentType(documentType) };
    if (hasText(documentExpiry)) doc.date_of_expiry = parseDate(documentExpiry, 'document_expiry');
    document = doc;
  }
  if (!hasText(time)) throw new NormalizationError('verification_time', 'empty');
  const out: NormalizedVerification = { time: normalizeVerificationTime(time) };
  if (hasText(method)) out.check_method = toIdaCheckMethod(method);
  if (document) out.document = document;
  return out;
}
