import { describe, expect, it } from 'vitest';
import { NormalizationError } from '@kyc/identity-normalize';
import { tsubameDocumentType } from './tsubame-codes.js';

describe(tsubameDocumentType.name, () => {
  it.each([
    ['01', 'jp_drivers_license'],
    ['02', 'jp_individual_number_card'],
    ['03', 'jp_residency_card_for_foreigner'],
    ['04', 'passport'],
    ['09', 'other'],
  ])('%s → %s', (code, expected) => {
    expect(tsubameDocumentType(code)).toBe(expected);
  });

  it.each(['05', '1', 'LICENSE', '', 'DRIVERS_LICENSE'])('refuses %j with a typed error', (code) => {
    expect(() => tsubameDocumentType(code)).toThrow(NormalizationError);
    expect(() => tsubameDocumentType(code)).toThrow(expect.objectContaining({ field: 'document_type' }));
  });
});
