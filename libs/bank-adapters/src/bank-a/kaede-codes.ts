import { mapCode, type IdaCheckMethod, type IdaDocumentType } from '@kyc/identity-normalize';

/**
 * Kaede Bank's `idDocument.type` codes (by name) → IDA document type.
 * "Other" has no IDA predefined value; `idcard` would claim a government ID card, so the broker
 * sends the plain custom value `other` (IDA allows values outside its list) rather than invent
 * what the bank did not say.
 */
const DOCUMENT_TYPES: ReadonlyMap<string, IdaDocumentType> = new Map([
  ['DRIVERS_LICENSE', 'jp_drivers_license'],
  ['MY_NUMBER_CARD', 'jp_individual_number_card'],
  ['RESIDENCE_CARD', 'jp_residency_card_for_foreigner'],
  ['PASSPORT', 'passport'],
  ['OTHER', 'other'],
]);

/**
 * Kaede Bank's `kycMethod` codes → IDA `check_method` (how the document was validated):
 * - FACE_TO_FACE: the document inspected in person at a branch → `vpip`.
 * - ONLINE_EKYC: photos of the document (and a selfie) taken remotely → `vri`.
 * - IC_CHIP / JPKI: the card's chip read and its signature checked → `vcrypt`.
 * - MAIL / POSTAL: a copy of the document sent by post and checked by staff; the closest IDA
 *   method is inspection of a remotely made image → `vri`.
 */
const CHECK_METHODS: ReadonlyMap<string, IdaCheckMethod> = new Map([
  ['FACE_TO_FACE', 'vpip'],
  ['ONLINE_EKYC', 'vri'],
  ['IC_CHIP', 'vcrypt'],
  ['JPKI', 'vcrypt'],
  ['MAIL', 'vri'],
  ['POSTAL', 'vri'],
]);

/** A Kaede Bank document type code (`DRIVERS_LICENSE` …) → IDA document type. */
export function kaedeDocumentType(code: string): IdaDocumentType {
  return mapCode(DOCUMENT_TYPES, code, 'document_type');
}

/** A Kaede Bank check method code (`FACE_TO_FACE` …) → IDA `check_method`. */
export function kaedeCheckMethod(code: string): IdaCheckMethod {
  return mapCode(CHECK_METHODS, code, 'check_method');
}
