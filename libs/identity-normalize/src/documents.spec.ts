import { describe, expect, it } from 'vitest';
import { toIdaCheckMethod, toIdaDocumentType } from './documents.js';
import { NormalizationError } from './errors.js';

describe(toIdaDocumentType.name, () => {
  it.each([
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
  ])('%s → %s', (code, expected) => {
    expect(toIdaDocumentType(code)).toBe(expected);
  });

  it.each(['05', '1', 'LICENSE', ''])('refuses %j with a typed error', (code) => {
    expect(() => toIdaDocumentType(code)).toThrow(NormalizationError);
  });
});

describe(toIdaCheckMethod.name, () => {
  it.each([
    ['FACE_TO_FACE', 'vpip'],
    ['ONLINE_EKYC', 'vri'],
    ['IC_CHIP', 'vcrypt'],
    ['JPKI', 'vcrypt'],
    ['MAIL', 'vri'],
    ['POSTAL', 'vri'],
  ])('%s → %s', (method, expected) => {
    expect(toIdaCheckMethod(method)).toBe(expected);
  });

  it('refuses an unknown method', () => {
    expect(() => toIdaCheckMethod('CARRIER_PIGEON')).toThrow(expect.objectContaining({ field: 'check_method', reason: 'unknown_code' }));
  });
});
