import { describe, expect, it } from 'vitest';
import { NormalizationError } from './errors.js';
import { canonicalKana, foldKanaForComparison, hiraganaToKatakana, splitKanaName, toFullWidthKatakana } from './kana.js';

describe(toFullWidthKatakana.name, () => {
  it.each([
    ['ﾀﾞ', 'ダ'],
    ['ﾊﾟ', 'パ'],
    ['ｳﾞ', 'ヴ'],
    ['ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダ タロウ'],
    ['ｼﾞｮﾝﾎﾟｰﾙ', 'ジョンポール'],
    ['タﾞ', 'ダ'],
    ['タ゛', 'ダ'],
    ['ハ゜', 'パ'],
  ])('%s → %s', (input, expected) => {
    expect(toFullWidthKatakana(input)).toBe(expected);
  });
});

describe(hiraganaToKatakana.name, () => {
  it('converts hiragana, including small and iteration marks, and leaves the rest', () => {
    expect(hiraganaToKatakana('やまだ たろう ぁっゃゝゞ 山田')).toBe('ヤマダ タロウ ァッャヽヾ 山田');
  });
});

describe(canonicalKana.name, () => {
  it.each([
    ['ﾔﾏﾀﾞ', 'ヤマダ'],
    ['やまだ', 'ヤマダ'],
    ['ヤマダ　タロウ', 'ヤマダタロウ'],
    ['ｽﾐｽ･ｼﾞｮﾝ', 'スミス・ジョン'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalKana(input)).toBe(expected);
  });

  it.each(['', '   ', '山田', 'YAMADA'])('refuses %j', (input) => {
    expect(() => canonicalKana(input)).toThrow(NormalizationError);
  });
});

describe(splitKanaName.name, () => {
  it.each([
    ['ﾔﾏﾀﾞ ﾀﾛｳ', { family: 'ヤマダ', given: 'タロウ' }],
    ['ヤマダ　タロウ', { family: 'ヤマダ', given: 'タロウ' }],
    ['やまだ　 たろう', { family: 'ヤマダ', given: 'タロウ' }],
  ])('%s', (input, expected) => {
    expect(splitKanaName(input)).toStrictEqual(expected);
  });

  it('refuses a name it cannot split', () => {
    expect(() => splitKanaName('ヤマダタロウ')).toThrow(expect.objectContaining({ reason: 'unsplittable_name' }));
  });
});

describe(foldKanaForComparison.name, () => {
  it.each([
    ['ァ', 'ア'], ['ッ', 'ツ'], ['ャ', 'ヤ'], ['ヮ', 'ワ'], ['ヵ', 'カ'], ['ヶ', 'ケ'],
    ['きょう', 'キヨウ'], ['ｷｮｳ', 'キヨウ'], ['スミス・ジョン', 'スミスジヨン'],
  ])('%s → %s', (input, expected) => {
    expect(foldKanaForComparison(input)).toBe(expected);
  });

  it('keeps ヴ and the long vowel mark', () => {
    expect(foldKanaForComparison('ヴォーン')).toBe('ヴオーン');
  });
});
