import { describe, expect, it } from 'vitest';
import { toEraDate, toFullWidth, toHalfWidthKana, toKanjiNumeral } from './japanese.js';

const ERA_LETTERS: Readonly<Record<string, string>> = { 明治: 'M', 大正: 'T', 昭和: 'S', 平成: 'H', 令和: 'R' };

/** Node's Japanese calendar as an independent oracle (元年 rendered as 1). */
function intlEraDate(iso: string): string {
  const parts = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' })
    .formatToParts(new Date(`${iso}T00:00:00Z`));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const year = get('year') === '元' ? '1' : get('year');
  return `${ERA_LETTERS[get('era')] ?? '?'}${year.padStart(2, '0')}.${get('month')}.${get('day')}`;
}

describe(toEraDate.name, () => {
  it.each([
    ['1926-12-24', 'T15.12.24'],
    ['1926-12-25', 'S01.12.25'],
    ['1980-04-15', 'S55.04.15'],
    ['1989-01-07', 'S64.01.07'],
    ['1989-01-08', 'H01.01.08'],
    ['2016-04-12', 'H28.04.12'],
    ['2019-04-30', 'H31.04.30'],
    ['2019-05-01', 'R01.05.01'],
  ])('writes %s as %s', (iso, expected) => {
    expect(toEraDate(iso)).toBe(expected);
  });

  it('agrees with Intl around every boundary', () => {
    for (const iso of ['1912-07-29', '1912-07-30', '1926-12-24', '1926-12-25', '1989-01-07', '1989-01-08', '2019-04-30', '2019-05-01', '2026-11-23']) {
      expect(toEraDate(iso)).toBe(intlEraDate(iso));
    }
  });
});

describe(toHalfWidthKana.name, () => {
  it('splits voiced and semi-voiced marks and keeps one half-width space', () => {
    expect(toHalfWidthKana('ヤマダ タロウ')).toBe('ﾔﾏﾀﾞ ﾀﾛｳ');
    expect(toHalfWidthKana('パーク　ヴァン')).toBe('ﾊﾟｰｸ ｳﾞｧﾝ');
  });
});

describe(toKanjiNumeral.name, () => {
  it.each([[1, '一'], [10, '十'], [15, '十五'], [23, '二十三'], [102, '百二'], [1010, '千十']])('writes %i as %s', (n, expected) => {
    expect(toKanjiNumeral(n)).toBe(expected);
  });
});

describe(toFullWidth.name, () => {
  it('widens digits, Latin letters and hyphens', () => {
    expect(toFullWidth('100-0001 SMITH')).toBe('１００－０００１ ＳＭＩＴＨ');
  });
});
