import { describe, expect, it } from 'vitest';
import { NormalizationError } from '@kyc/identity-normalize';
import { kaedeCheckMethod, kaedeDocumentType } from './kaede-codes.js';

describe(kaedeDocumentType.name, () => {
  it.each([
    ['DRIVERS_LICENSE', 'jp_drivers_license'],
    ['MY_NUMBER_CARD', 'jp_individual_number_card'],
    ['RESIDENCE_CARD', 'jp_residency_card_for_foreigner'],
    ['PASSPORT', 'passport'],
    ['OTHER', 'other'],
  ])('%s → %s', (code, expected) => {
    expect(kaedeDocumentType(code)).toBe(expected);
  });

  it.each(['05', '1', 'LICENSE', '', '01'])('refuses %j with a typed error', (code) => {
    expect(() => kaedeDocumentType(code)).toThrow(NormalizationError);
    expect(() => kaedeDocumentType(code)).toThrow(expect.objectContaining({ field: 'document_type' }));
  });
});

describe(kaedeCheckMethod.name, () => {
  it.each([
    ['FACE_TO_FACE', 'vpip'],
    ['ONLINE_EKYC', 'vri'],
    ['IC_CHIP', 'vcrypt'],
    ['JPKI', 'vcrypt'],
    ['MAIL', 'vri'],
    ['POSTAL', 'vri'],
  ])('%s → %s', (method, expected) => {
    expect(kaedeCheckMethod(method)).toBe(expected);
  });

  it('refuses an unknown method', () => {
    expect(() => kaedeCheckMethod('CARRIER_PIGEON')).toThrow(expect.objectContaining({ field: 'check_method', reason: 'unknown_code' }));
  });
});
