import { NormalizationError } from './errors.js';

/** IDA `document_details.type` values this broker emits. */
export type IdaDocumentType =
  | 'jp_drivers_license'
  | 'jp_individual_number_card'
  | 'jp_residency_card_for_foreigner'
  | 'passport'
  | 'other';

/** IDA `check_method` values this broker emits. */
export type IdaCheckMethod = 'vpip' | 'vri' | 'vcrypt';

/**
 * Document type codes, by name (`DRIVERS_LICENSE` …) or number (`01` …) → IDA document type.
 * "Other" has no IDA predefined value; `idcard` would claim a government ID card, so the broker
 * sends the plain custom value `other` (IDA allows values outside its list) rather than invent
 * what the bank did not say.
 */
const DOCUMENT_TYPES = new Map<string, IdaDocumentType>([
  ['DRIVERS_LICENSE', 'jp_drivers_license'],
  ['MY_NUMBER_CARD', 'jp_individual_number_card'],
  ['RESIDENCE_CARD', 'jp_residency_card_for_foreigner'],
  ['PASSPORT', 'passport'],
  ['OTHER', 'other'],
  ['01', 'jp_drivers_license'],
  ['02', 'jp_individual_number_card'],
  ['03', 'jp_residency_card_for_foreigner'],
  ['04', 'passport'],
  ['09', 'other'],
]);

/**
 * Check method codes → IDA `check_method` (how the document was validated):
 * - FACE_TO_FACE: the document inspected in person at a branch → `vpip`.
 * - ONLINE_EKYC: photos of the document (and a selfie) taken remotely → `vri`.
 * - IC_CHIP / JPKI: the card's chip read and its signature checked → `vcrypt`.
 * - MAIL / POSTAL: a copy of the document sent by post and checked by staff; the closest IDA
 *   method is inspection of a remotely made image → `vri`.
 */
const CHECK_METHODS = new Map<string, IdaCheckMethod>([
  ['FACE_TO_FACE', 'vpip'],
  ['ONLINE_EKYC', 'vri'],
  ['IC_CHIP', 'vcrypt'],
  ['JPKI', 'vcrypt'],
  ['MAIL', 'vri'],
  ['POSTAL', 'vri'],
]);

/** A document type code, by name (`DRIVERS_LICENSE` …) or number (`01` …) → IDA document type. */
export function toIdaDocumentType(code: string, field = 'document_type'): IdaDocumentType {
  const type = DOCUMENT_TYPES.get(code.trim().toUpperCase());
  if (type === undefined) throw new NormalizationError(field, code.trim() === '' ? 'empty' : 'unknown_code');
  return type;
}

/** A check method code (`FACE_TO_FACE` …) → IDA `check_method`. */
export function toIdaCheckMethod(kycMethod: string, field = 'check_method'): IdaCheckMethod {
  const method = CHECK_METHODS.get(kycMethod.trim().toUpperCase());
  if (method === undefined) throw new NormalizationError(field, kycMethod.trim() === '' ? 'empty' : 'unknown_code');
  return method;
}
