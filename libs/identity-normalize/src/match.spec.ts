import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import { matchClaims } from './match.js';
import { CLAIM_NAMES, type ApplicantClaims, type CanonicalClaims } from './types.js';

const released = (over: Partial<CanonicalClaims> = {}): CanonicalClaims => ({
  family_name: '髙橋',
  given_name: '太郎',
  'family_name#ja-Kana-JP': 'タカハシ',
  'given_name#ja-Kana-JP': 'タロウ',
  birthdate: '1980-04-15',
  address: parseAddress('〒100-0001 東京都千代田区千代田1-1 ハイツ101号室'),
  ...over,
});

describe(matchClaims.name, () => {
  it('matches the same person written differently', () => {
    const applicant: ApplicantClaims = {
      family_name: '高橋',
      given_name: '太郎',
      'family_name#ja-Kana-JP': 'たかはし',
      'given_name#ja-Kana-JP': 'ﾀﾛｳ',
      birthdate: '昭和55年4月15日',
      address: '千代田区千代田一丁目1番 ハイツ101',
    };
    const sut = matchClaims(released(), applicant, CLAIM_NAMES);
    for (const claim of CLAIM_NAMES) expect(sut[claim], claim).toStrictEqual({ result: 'match', score: 100 });
  });

  it.each([
    ['山﨑', '山崎'],
    ['渡邊', '渡辺'],
    ['齋藤', '斉藤'],
    ['SMITH', 'smith'],
    ['山田', '山田 '],
  ])('names: %s matches %s', (a, b) => {
    expect(matchClaims(released({ family_name: a }), { family_name: b }, ['family_name'])).toStrictEqual({
      family_name: { result: 'match', score: 100 },
    });
  });

  it('names: a different name is a mismatch with score 0', () => {
    expect(matchClaims(released(), { family_name: '田中' }, ['family_name']).family_name).toStrictEqual({
      result: 'mismatch', score: 0,
    });
  });

  it('kana: small kana fold, voiced kana do not', () => {
    const r = released({ 'given_name#ja-Kana-JP': 'ジュンイチ' });
    expect(matchClaims(r, { 'given_name#ja-Kana-JP': 'ジユンイチ' }, ['given_name#ja-Kana-JP'])['given_name#ja-Kana-JP']?.result).toBe('match');
    expect(matchClaims(r, { 'given_name#ja-Kana-JP': 'シュンイチ' }, ['given_name#ja-Kana-JP'])['given_name#ja-Kana-JP']?.result).toBe('mismatch');
  });

  it.each(['1980/4/15', 'S55.04.15', '昭和55年4月15日', '19800415', '１９８０－０４－１５'])('birthdate: %s matches', (b) => {
    expect(matchClaims(released(), { birthdate: b }, ['birthdate']).birthdate?.result).toBe('match');
  });

  it.each(['1980/4/16', 'H31.05.01', 'not a date', ''])('birthdate: %j is a mismatch, never a throw', (b) => {
    expect(matchClaims(released(), { birthdate: b }, ['birthdate']).birthdate).toStrictEqual({ result: 'mismatch', score: 0 });
  });

  it.each([
    ['hyphens for 丁目/番', '東京都千代田区千代田1-1 ハイツ101号室'],
    ['kanji numerals', '〒100-0001 東京都千代田区千代田一丁目一番 ハイツ101号室'],
    ['prefecture omitted', '千代田区千代田1-1 ハイツ101'],
    ['postal code omitted', '東京都千代田区千代田1丁目1番 ハイツ１０１'],
  ])('address: %s matches', (_, a) => {
    expect(matchClaims(released(), { address: a }, ['address']).address).toStrictEqual({ result: 'match', score: 100 });
  });

  it('address: {formatted} and parts are accepted', () => {
    const r = released();
    expect(matchClaims(r, { address: { formatted: '東京都千代田区千代田1-1 ハイツ101' } }, ['address']).address?.result).toBe('match');
    expect(matchClaims(r, { address: { region: '東京都', locality: '千代田区', street_address: '千代田一丁目1番 ハイツ101号室' } }, ['address']).address?.result).toBe('match');
  });

  it('address: ヶ/ケ/が and a county omitted match', () => {
    const r = released({ address: parseAddress('神奈川県茅ヶ崎市東海岸北2-3-4') });
    expect(matchClaims(r, { address: '神奈川県茅ケ崎市東海岸北二丁目3番4号' }, ['address']).address?.result).toBe('match');
    const county = released({ address: parseAddress('北海道虻田郡ニセコ町富士見47') });
    expect(matchClaims(county, { address: '北海道ニセコ町富士見47' }, ['address']).address?.result).toBe('match');
  });

  it('address: partial when some parts agree, with the documented weights', () => {
    const r = released();
    // building missing on one side: 80 of 90 (no postal code on the applicant side, so region 10,
    // locality 30, street 40, building 10 are compared)
    expect(matchClaims(r, { address: '東京都千代田区千代田1-1' }, ['address']).address).toStrictEqual({ result: 'partial', score: 89 });
    // other block number: region + locality + building agree (50 of 90)
    expect(matchClaims(r, { address: '東京都千代田区千代田2-1 ハイツ101' }, ['address']).address).toStrictEqual({ result: 'partial', score: 56 });
    // other prefecture and everything else: mismatch
    expect(matchClaims(r, { address: '大阪府大阪市北区梅田3-1-1' }, ['address']).address).toStrictEqual({ result: 'mismatch', score: 0 });
  });

  it('address: an unreadable applicant address is compared as a whole string, never thrown', () => {
    expect(matchClaims(released(), { address: '???' }, ['address']).address).toStrictEqual({ result: 'mismatch', score: 0 });
  });

  it('is unavailable when the bank (or the applicant) has no value', () => {
    const r: CanonicalClaims = { family_name: '山田' };
    expect(matchClaims(r, { given_name: '太郎', family_name: '山田' }, ['given_name', 'birthdate', 'family_name'])).toStrictEqual({
      given_name: { result: 'unavailable', score: 0 },
      birthdate: { result: 'unavailable', score: 0 },
      family_name: { result: 'match', score: 100 },
    });
    expect(matchClaims(r, {}, ['family_name']).family_name?.result).toBe('unavailable');
  });

  it('answers only the requested claims', () => {
    expect(Object.keys(matchClaims(released(), released(), ['birthdate']))).toStrictEqual(['birthdate']);
  });
});
