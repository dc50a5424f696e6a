import { NormalizationError } from './errors.js';

/**
 * IDA `document_details.type` values this broker emits. `other` is not an IDA predefined value
 * (IDA allows values outside its list); a bank's "other document" maps to it.
 */
export type IdaDocumentType =
  | 'jp_drivers_license'
  | 'jp_individual_number_card'
  | 'jp_residency_card_for_foreigner'
  | 'passport'
  | 'other';

/** IDA `check_method` values this broker emits. */
export type IdaCheckMethod = 'vpip' | 'vri' | 'vcrypt';

/**
 * A bank's code → its mapped value, through the bank's own table (kept in its adapter). The code
 * is trimmed and upper-cased first; a blank code throws `NormalizationError(field, 'empty')`, one
 * not in the table `NormalizationError(field, 'unknown_code')`.
 */
export function mapCode<T>(table: ReadonlyMap<string, T>, code: string, field: string): T {
  const key = code.trim().toUpperCase();
  const value = table.get(key);
  if (value === undefined) throw new NormalizationError(field, key === '' ? 'empty' : 'unknown_code');
  return value;
}
