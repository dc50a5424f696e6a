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
