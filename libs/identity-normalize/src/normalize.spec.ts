import { describe, expect, it } from 'vitest';
import { NormalizationError } from './errors.js';
import {
  hasText, normalizeAddress, normalizeBirthdate, normalizeVerificationTime, verificationFacts,
} from './normalize.js';

// The per-bank golden fixtures (one person as each bank writes them) live beside each bank's
// normalizer in libs/bank-adapters.

describe('refused values', () => {
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
  it('accepts a one-string address, split parts and OIDC parts alike', () => {
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

describe(verificationFacts.name, () => {
  it('normalizes time and expiry, keeping the mapped check method and document type', () => {
    expect(
      verificationFacts({
        time: '2016-04-12T10:31:00+09:00', checkMethod: 'vpip', document: { type: 'jp_drivers_license', expiry: 'R08.07.15' },
      }),
    ).toStrictEqual({
      time: '2016-04-12T01:31:00.000Z', check_method: 'vpip',
      document: { type: 'jp_drivers_license', date_of_expiry: '2026-07-15' },
    });
  });

  it('accepts a date-only time (midnight JST) and a document without expiry', () => {
    expect(verificationFacts({ time: 'H28.04.12', document: { type: 'passport' } })).toStrictEqual({
      time: '2016-04-11T15:00:00.000Z', document: { type: 'passport' },
    });
  });

  it('leaves absent and blank parts absent', () => {
    const sut = verificationFacts({ time: '2016-04-12', checkMethod: undefined, document: undefined });
    expect(sut).toStrictEqual({ time: '2016-04-11T15:00:00.000Z' });
    expect(JSON.stringify(sut)).not.toMatch(/null|""/);
    const blankExpiry = verificationFacts({ time: '2016-04-12', document: { type: 'other', expiry: ' ' } });
    expect(blankExpiry).toStrictEqual({ time: '2016-04-11T15:00:00.000Z', document: { type: 'other' } });
  });

  it.each([
    ['a missing time', { checkMethod: 'vpip' }, 'verification_time'],
    ['a blank time', { time: '\u3000' }, 'verification_time'],
    ['an impossible time', { time: '2016-04-12T25:31:00+09:00' }, 'verification_time'],
    ['an impossible expiry', { time: '2016-04-12', document: { type: 'passport', expiry: '2031-02-30' } }, 'document_expiry'],
    ['a bad document before a missing time', { document: { type: 'passport', expiry: '2031-02-30' } }, 'document_expiry'],
  ] as const)('refuses %s, naming the field', (_, input, field) => {
    expect(() => verificationFacts(input)).toThrow(NormalizationError);
    try {
      verificationFacts(input);
    } catch (e) {
      expect((e as NormalizationError).field).toBe(field);
    }
  });
});

describe(hasText.name, () => {
  it.each([
    [undefined, false],
    ['', false],
    [' \u3000\t', false],
    ['0', true],
    [' 山田 ', true],
  ] as const)('%j → %s', (input, expected) => {
    expect(hasText(input)).toBe(expected);
  });
});
