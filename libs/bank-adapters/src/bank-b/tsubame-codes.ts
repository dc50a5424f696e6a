import { mapCode, type IdaDocumentType } from '@kyc/identity-normalize';

/**
 * Tsubame Bank's `honninKakunin.kubun` codes (by number) → IDA document type.
 * `09` ("other") has no IDA predefined value; `idcard` would claim a government ID card, so the
 * broker sends the plain custom value `other` (IDA allows values outside its list) rather than
 * invent what the bank did not say.
 */
const DOCUMENT_TYPES: ReadonlyMap<string, IdaDocumentType> = new Map([
  ['01', 'jp_drivers_license'],
  ['02', 'jp_individual_number_card'],
  ['03', 'jp_residency_card_for_foreigner'],
  ['04', 'passport'],
  ['09', 'other'],
]);

/** A Tsubame Bank document code (`01` …) → IDA document type. */
export function tsubameDocumentType(code: string): IdaDocumentType {
  return mapCode(DOCUMENT_TYPES, code, 'document_type');
}
