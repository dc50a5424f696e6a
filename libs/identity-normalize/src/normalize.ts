import {
  normalizeAddressParts, normalizeSplitAddress, parseAddress,
  type AddressPartsInput, type CanonicalAddress, type SplitAddressInput,
} from './address.js';
import { jstMidnightUtc, parseDate, toUtcTimestamp } from './era.js';
import { NormalizationError } from './errors.js';
import type { IdaCheckMethod, IdaDocumentType } from './documents.js';
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

/**
 * What a payload says about how an identity was verified: the time as written (any form), the
 * check method and document type already mapped from the bank's codes by its adapter (`mapCode`).
 */
export interface VerificationFactsInput {
  /** When: a timestamp (any offset; none = JST) or a date (ISO or era). Required. */
  time?: string | undefined;
  /** How the document was checked. Optional. */
  checkMethod?: IdaCheckMethod | undefined;
  /** Which document, and its expiry date as written (ISO, slash or era; blank = absent). Optional. */
  document?: { type: IdaDocumentType; expiry?: string | undefined } | undefined;
}

/**
 * The IDA verification facts of a payload, normalized: time in UTC, the expiry as `YYYY-MM-DD`.
 * Absent or blank optional parts stay absent; a bad expiry or a missing time throws a
 * `NormalizationError` naming the field (the document is checked first).
 */
export function verificationFacts({ time, checkMethod, document }: VerificationFactsInput): NormalizedVerification {
  let doc: NormalizedVerification['document'];
  if (document) {
    doc = { type: document.type };
    if (hasText(document.expiry)) doc.date_of_expiry = parseDate(document.expiry, 'document_expiry');
  }
  if (!hasText(time)) throw new NormalizationError('verification_time', 'empty');
  const out: NormalizedVerification = { time: normalizeVerificationTime(time) };
  if (checkMethod !== undefined) out.check_method = checkMethod;
  if (doc) out.document = doc;
  return out;
}
