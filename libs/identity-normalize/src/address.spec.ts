import { describe, expect, it } from 'vitest';
import { DESIGNATED_CITIES, PREFECTURES, TOKYO_WARDS } from './address-data.js';
import {
  normalizePostalCode, normalizeSplitAddress, normalizeStreetAddress, parseAddress, splitLocality,
} from './address.js';
import { NormalizationError } from './errors.js';

describe('tables', () => {
  it('has the 47 prefectures, 20 designated cities and 23 Tokyo wards', () => {
    expect(new Set(PREFECTURES).size).toBe(47);
    expect(PREFECTURES).toEqual(expect.arrayContaining(['北海道', '東京都', '大阪府', '京都府', '神奈川県', '鹿児島県']));
    expect(new Set(DESIGNATED_CITIES).size).toBe(20);
    expect(new Set(TOKYO_WARDS).size).toBe(23);
  });
});

describe(normalizePostalCode.name, () => {
  it.each(['１００－０００１', '1000001', '〒100-0001', '〒１００ー０００１', ' 100\u22120001 '])('%j → 100-0001', (input) => {
    expect(normalizePostalCode(input)).toBe('100-0001');
  });

  it.each(['100-001', '10000011', 'ABC-DEFG', '〒', ''])('refuses %j', (input) => {
    expect(() => normalizePostalCode(input)).toThrow(NormalizationError);
  });
});

describe(splitLocality.name, () => {
  it.each([
    ['千代田区千代田1-1', '東京都', '千代田区'],
    ['西多摩郡奥多摩町氷川210', '東京都', '西多摩郡奥多摩町'],
    ['横浜市中区山下町279', '神奈川県', '横浜市中区'],
    ['大阪市北区梅田3-1-1', '大阪府', '大阪市北区'],
    ['札幌市中央区大通西4', '北海道', '札幌市中央区'],
    ['京都市中京区河原町通', '京都府', '京都市中京区'],
    ['さいたま市浦和区高砂3', '埼玉県', 'さいたま市浦和区'],
    ['北九州市八幡西区黒崎3', '福岡県', '北九州市八幡西区'],
    ['浜松市中央区元城町103', '静岡県', '浜松市中央区'],
    ['八王子市元本郷町3-24-1', '東京都', '八王子市'],
    ['四日市市諏訪町1-5', '三重県', '四日市市'],
    ['廿日市市下平良1-11-1', '広島県', '廿日市市'],
    ['大和郡山市北郡山町248', '奈良県', '大和郡山市'],
    ['郡山市朝日1-23-7', '福島県', '郡山市'],
    ['市川市八幡1-1-1', '千葉県', '市川市'],
    ['芳賀郡市貝町市塙1280', '栃木県', '芳賀郡市貝町'],
    ['大島町元町1-1-14', '東京都', '大島町'],
    ['虻田郡ニセコ町富士見47', '北海道', '虻田郡ニセコ町'],
  ])('%s → %s', (input, region, locality) => {
    expect(splitLocality(input, region)?.[0]).toBe(locality);
  });
});

describe(normalizeStreetAddress.name, () => {
  it.each([
    ['千代田一丁目1番', '千代田1-1'],
    ['千代田1丁目1番地1号', '千代田1-1-1'],
    ['1丁目2-3', '1-2-3'],
    ['千代田１－１ ハイツ１０１号室', '千代田1-1 ハイツ101号室'],
    ['千代田1-1ハイツ101', '千代田1-1 ハイツ101'],
    ['千代田1-1　　ハイツ101', '千代田1-1 ハイツ101'],
    ['千代田 1-1', '千代田1-1'],
    ['六本木六丁目十番一号', '六本木6-10-1'],
    ['梅田三丁目十二番二十三号', '梅田3-12-23'],
    ['氷川百番地', '氷川100'],
    ['氷川千二百三十四番地', '氷川1234'],
    ['北郡山町248番地の4', '北郡山町248-4'],
    ['三番町6-25', '三番町6-25'],
    ['一番町一丁目2番3号', '一番町1-2-3'],
    ['麻布十番1-2-3', '麻布十番1-2-3'],
    ['麻布十番一丁目2番3号', '麻布十番1-2-3'],
    ['千代田1丁目 1番 1号 センター', '千代田1-1-1 センター'],
    ['千代田1-1-101号室', '千代田1-1 101号室'],
    ['千代田1ー1', '千代田1-1'],
    ['第2地割1番', '第2地割1'],
    ['大字軽井沢1323', '大字軽井沢1323'],
    ['千代田', '千代田'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeStreetAddress(input)).toBe(expected);
  });
});

describe(parseAddress.name, () => {
  it('splits the SPEC example with building and room', () => {
    expect(parseAddress('〒１００－０００１ 東京都千代田区千代田１－１ ハイツ１０１号室')).toStrictEqual({
      postal_code: '100-0001',
      region: '東京都',
      locality: '千代田区',
      street_address: '千代田1-1 ハイツ101号室',
      country: 'JP',
      formatted: '〒100-0001 東京都千代田区千代田1-1 ハイツ101号室',
    });
  });

  it('has no postal_code key and no 〒 when there is no postal code', () => {
    const sut = parseAddress('東京都千代田区千代田1-1');
    expect(sut).not.toHaveProperty('postal_code');
    expect(sut.formatted).toBe('東京都千代田区千代田1-1');
  });

  it('has no street_address key when there is none', () => {
    expect(parseAddress('東京都千代田区')).toStrictEqual({
      region: '東京都', locality: '千代田区', country: 'JP', formatted: '東京都千代田区',
    });
  });

  it('accepts spaces between the parts', () => {
    expect(parseAddress('〒100-0001　東京都　千代田区　千代田1-1').formatted).toBe('〒100-0001 東京都千代田区千代田1-1');
  });

  it.each([
    ['no prefecture', '千代田区千代田1-1', 'unknown_region'],
    ['garbage', '!!!', 'unknown_region'],
    ['empty', '  ', 'empty'],
    ['prefecture only', '東京都', 'no_locality'],
    ['bad postal code', '〒100-00001 東京都千代田区', 'unknown_region'],
  ])('refuses %s', (_, input, reason) => {
    expect(() => parseAddress(input)).toThrow(expect.objectContaining({ field: 'address', reason }));
  });

  it('lets an applicant omit the prefecture when not strict', () => {
    expect(parseAddress('千代田区千代田一丁目1番', { strict: false })).toStrictEqual({
      locality: '千代田区', street_address: '千代田1-1', formatted: '千代田区千代田1-1',
    });
  });
});

describe(normalizeSplitAddress.name, () => {
  it('gives the split form the same canonical address as the one-string form', () => {
    const a = parseAddress('〒１００－０００１ 東京都千代田区千代田１－１');
    const b = normalizeSplitAddress({ yubinBango: '1000001', todofuken: '東京都', shikuchoson: '千代田区', banchi: '千代田一丁目1番' });
    expect(b).toStrictEqual(a);
  });

  it('leaves absent parts absent', () => {
    expect(normalizeSplitAddress({ todofuken: '東京都', shikuchoson: '千代田区' })).toStrictEqual({
      region: '東京都', locality: '千代田区', country: 'JP', formatted: '東京都千代田区',
    });
  });
});
