import { describe, expect, it } from 'vitest';
import { foldKanjiVariants, foldPlaceName, KANJI_VARIANT_ROWS } from './variants.js';

describe(foldKanjiVariants.name, () => {
  it.each([
    ['髙橋', '高橋'], ['山﨑', '山崎'], ['渡邊', '渡辺'], ['渡邉', '渡辺'], ['齋藤', '斎藤'], ['齊藤', '斎藤'],
    ['濵田', '浜田'], ['濱田', '浜田'], ['澤田', '沢田'], ['廣田', '広田'], ['國分', '国分'], ['櫻井', '桜井'],
    ['德永', '徳永'], ['眞田', '真田'], ['冨田', '富田'], ['嶋田', '島田'], ['𠮷田', '吉田'],
  ])('%s → %s', (input, expected) => {
    expect(foldKanjiVariants(input)).toBe(expected);
  });

  it('has about forty rows and no variant listed twice', () => {
    const variants = KANJI_VARIANT_ROWS.flatMap(([, v]) => [...v]);
    expect(KANJI_VARIANT_ROWS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(variants).size).toBe(variants.length);
    for (const [base] of KANJI_VARIANT_ROWS) expect(variants).not.toContain(base);
  });

  it('leaves other text alone', () => {
    expect(foldKanjiVariants('山田太郎 SMITH')).toBe('山田太郎 SMITH');
  });
});

describe(foldPlaceName.name, () => {
  it('treats ヶ/ケ/ヵ/が/ガ alike and ノ/の/之 alike', () => {
    const forms = ['茅ヶ崎', '茅ケ崎', '茅ヵ崎', '茅が崎', '茅ガ崎'].map(foldPlaceName);
    expect(new Set(forms).size).toBe(1);
    expect(foldPlaceName('一の瀬')).toBe(foldPlaceName('一ノ瀬'));
  });
});
