import { describe, expect, it } from 'vitest';
import { NormalizationError } from './errors.js';
import { GOLDEN, GOLDEN_ERRORS } from './fixtures/golden.js';
import {
  normalizeAddress, normalizeBankARecord, normalizeBankBBody, normalizeBirthdate, normalizeVerificationTime,
} from './normalize.js';

describe('golden fixtures (SPEC §6 edge cases)', () => {
  describe.each(GOLDEN)('$name', (c) => {
    it('bank A → canonical', () => {
      const sut = normalizeBankARecord(c.bankA);
      expect(sut.claims).toStrictEqual(c.claims);
      expect(sut.verification).toStrictEqual(c.verificationA);
    });

    it('bank B → canonical', () => {
      const sut = normalizeBankBBody(c.bankB);
      expect(sut.claims).toStrictEqual(c.claims);
      expect(sut.verification).toStrictEqual(c.verificationB);
    });

    it('never releases null or empty strings', () => {
      const json = JSON.stringify(normalizeBankARecord(c.bankA));
      expect(json).not.toMatch(/null|""/);
    });
  });
});

describe('refused bank payloads', () => {
  it.each(GOLDEN_ERRORS)('$name', ({ bankA, bankB, field }) => {
    const run = (): unknown => (bankA ? normalizeBankARecord(bankA) : normalizeBankBBody(bankB!));
    expect(run).toThrow(NormalizationError);
    try {
      run();
    } catch (e) {
      expect((e as NormalizationError).field).toBe(field);
    }
  });

  it('never puts the personal value in the error message', () => {
    const secret = 'H31.05.01';
    try {
      normalizeBirthdate(secret);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
      expect((e as Error).message).not.toContain('31');
    }
    try {
      normalizeAddress('秘密の住所123');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('秘密');
    }
  });
});

describe(normalizeVerificationTime.name, () => {
  it.each([
    ['2016-04-12T10:31:00+09:00', '2016-04-12T01:31:00.000Z'],
    ['2016-04-12T01:31:00Z', '2016-04-12T01:31:00.000Z'],
    ['2016-04-12T01:31:00.5Z', '2016-04-12T01:31:00.500Z'],
    ['2016-04-12T10:31:00', '2016-04-12T01:31:00.000Z'],
    ['2016-04-11T20:00:00-05:00', '2016-04-12T01:00:00.000Z'],
    ['H28.04.12', '2016-04-11T15:00:00.000Z'],
    ['2016-04-12', '2016-04-11T15:00:00.000Z'],
    ['平成28年4月12日', '2016-04-11T15:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeVerificationTime(input)).toBe(expected);
  });
});

describe(normalizeAddress.name, () => {
  it('accepts a one-string address, bank B parts and OIDC parts alike', () => {
    const one = normalizeAddress('〒１００－０００１ 東京都千代田区千代田１－１');
    expect(normalizeAddress({ yubinBango: '1000001', todofuken: '東京都', shikuchoson: '千代田区', banchi: '千代田一丁目1番' })).toStrictEqual(one);
    expect(normalizeAddress({ postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1' })).toStrictEqual(one);
    expect(normalizeAddress({ formatted: '〒100-0001 東京都千代田区千代田1-1' })).toStrictEqual(one);
  });

  it('moves town text a municipality field carried into the street address', () => {
    expect(normalizeAddress({ todofuken: '東京都', shikuchoson: '千代田区千代田', banchi: '1-1' })).toMatchObject({
      locality: '千代田区',
      street_address: '千代田1-1',
    });
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
