import { describe, expect, it } from 'vitest';
import { NormalizationError } from '@kyc/identity-normalize';
import { GOLDEN, GOLDEN_ERRORS } from '../fixtures/golden.js';
import { normalizeBankBBody } from './tsubame-body.js';

describe('golden fixtures (SPEC §6 edge cases)', () => {
  describe.each(GOLDEN)('$name', (c) => {
    it('bank B → canonical', () => {
      const sut = normalizeBankBBody(c.bankB);
      expect(sut.claims).toStrictEqual(c.claims);
      expect(sut.verification).toStrictEqual(c.verificationB);
    });
  });
});

describe('refused bank payloads', () => {
  const refused = GOLDEN_ERRORS.flatMap(({ name, bankB, field }) => (bankB ? [{ name, bankB, field }] : []));

  it.each(refused)('$name', ({ bankB, field }) => {
    const run = (): unknown => normalizeBankBBody(bankB);
    expect(run).toThrow(NormalizationError);
    try {
      run();
    } catch (e) {
      expect((e as NormalizationError).field).toBe(field);
    }
  });
});

describe('normalizeBankBBody with one consented name part', () => {
  it('releases the family name alone when the bank sends only sei', () => {
    const out = normalizeBankBBody({ shimei: { sei: '山田' }, honninKakunin: { kubun: '01', kakuninBi: 'H28.04.12' } });
    expect(out.claims).toEqual({ family_name: '山田' });
  });

  it('releases the given name alone when the bank sends only mei', () => {
    const out = normalizeBankBBody({ shimei: { mei: 'ＪＯＨＮ' }, honninKakunin: { kubun: '03', kakuninBi: 'R06.01.10' } });
    expect(out.claims).toEqual({ given_name: 'JOHN' });
  });
});

describe('normalizeBankBBody verification facts', () => {
  it('maps a numeric kubun with a date-only time (midnight JST)', () => {
    expect(normalizeBankBBody({ honninKakunin: { kubun: '04', kakuninBi: 'H28.04.12' } }).verification).toStrictEqual({
      time: '2016-04-11T15:00:00.000Z', document: { type: 'passport' },
    });
  });

  it('leaves a blank kubun absent', () => {
    expect(normalizeBankBBody({ honninKakunin: { kubun: ' ', kakuninBi: 'H28.04.12' } }).verification).toStrictEqual({
      time: '2016-04-11T15:00:00.000Z',
    });
  });

  it.each([
    ['a name-coded document (bank A style)', { honninKakunin: { kubun: 'PASSPORT', kakuninBi: 'H28.04.12' } }, 'document_type'],
    ['a bad kubun before a missing time', { honninKakunin: { kubun: '05', kakuninBi: '' } }, 'document_type'],
    ['a missing time', { honninKakunin: { kubun: '01', kakuninBi: '' } }, 'verification_time'],
  ] as const)('refuses %s, naming the field', (_, body, field) => {
    expect(() => normalizeBankBBody(body)).toThrow(expect.objectContaining({ field }));
  });
});
