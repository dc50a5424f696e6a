import { describe, expect, it } from 'vitest';
import { NormalizationError } from '@kyc/identity-normalize';
import { GOLDEN, GOLDEN_ERRORS } from '../fixtures/golden.js';
import { normalizeBankARecord } from './kaede-record.js';

describe('golden fixtures (SPEC §6 edge cases)', () => {
  describe.each(GOLDEN)('$name', (c) => {
    it('bank A → canonical', () => {
      const sut = normalizeBankARecord(c.bankA);
      expect(sut.claims).toStrictEqual(c.claims);
      expect(sut.verification).toStrictEqual(c.verificationA);
    });

    it('never releases null or empty strings', () => {
      const json = JSON.stringify(normalizeBankARecord(c.bankA));
      expect(json).not.toMatch(/null|""/);
    });
  });
});

describe('refused bank payloads', () => {
  const refused = GOLDEN_ERRORS.flatMap(({ name, bankA, field }) => (bankA ? [{ name, bankA, field }] : []));

  it.each(refused)('$name', ({ bankA, field }) => {
    const run = (): unknown => normalizeBankARecord(bankA);
    expect(run).toThrow(NormalizationError);
    try {
      run();
    } catch (e) {
      expect((e as NormalizationError).field).toBe(field);
    }
  });
});

describe('normalizeBankARecord verification facts', () => {
  const base = { kycVerifiedAt: '2016-04-12T10:31:00+09:00' };

  it('maps the name-coded method and document, normalizing the expiry', () => {
    const out = normalizeBankARecord({ ...base, kycMethod: 'face_to_face', idDocument: { type: ' DRIVERS_LICENSE ', expiry: 'R08.07.15' } });
    expect(out.verification).toStrictEqual({
      time: '2016-04-12T01:31:00.000Z', check_method: 'vpip',
      document: { type: 'jp_drivers_license', date_of_expiry: '2026-07-15' },
    });
  });

  it('leaves a blank method and document absent, ignoring an expiry without a document type', () => {
    const out = normalizeBankARecord({ kycVerifiedAt: '2016-04-12', kycMethod: ' ', idDocument: { type: '', expiry: '2030-01-01' } });
    expect(out.verification).toStrictEqual({ time: '2016-04-11T15:00:00.000Z' });
    expect(JSON.stringify(out)).not.toMatch(/null|""/);
  });

  it.each([
    ['an unknown check method', { ...base, kycMethod: 'CARRIER_PIGEON' }, 'check_method'],
    ['a numeric document code (bank B style)', { ...base, idDocument: { type: '01' } }, 'document_type'],
    ['a bad document before a missing time', { idDocument: { type: 'LIBRARY_CARD' } }, 'document_type'],
    ['a bad expiry before a missing time', { idDocument: { type: 'PASSPORT', expiry: '2031-02-30' } }, 'document_expiry'],
    ['a missing time', { kycMethod: 'FACE_TO_FACE' }, 'verification_time'],
  ] as const)('refuses %s, naming the field', (_, record, field) => {
    expect(() => normalizeBankARecord(record)).toThrow(expect.objectContaining({ field }));
  });
});
