/** Why a value could not be normalized. Never carries the value itself (it is personal data). */
export type NormalizationReason =
  | 'empty'
  | 'invalid_format'
  | 'invalid_date'
  | 'out_of_era'
  | 'unknown_code'
  | 'unknown_region'
  | 'no_locality'
  | 'unsplittable_name'
  | 'invalid_characters';

const REASON_TEXT: Record<NormalizationReason, string> = {
  empty: 'value is empty',
  invalid_format: 'value does not have a recognised format',
  invalid_date: 'date does not exist',
  out_of_era: 'date lies outside its era',
  unknown_code: 'code is not in the code table',
  unknown_region: 'no Japanese prefecture found',
  no_locality: 'no municipality found',
  unsplittable_name: 'name has no separator between family and given name',
  invalid_characters: 'value contains characters not allowed here',
};

/**
 * The one error every normalizer throws. `field` names the claim or input field; the message is
 * built from `field` and `reason` only, so it is safe to log.
 */
export class NormalizationError extends Error {
  readonly code = 'NORMALIZATION_FAILED';

  constructor(
    readonly field: string,
    readonly reason: NormalizationReason,
  ) {
    super(`${field}: ${REASON_TEXT[reason]}`);
    this.name = 'NormalizationError';
  }
}
