import { describe, expect, it } from 'vitest';
import { daysFromCivil, ERAS, jstMidnightUtc, parseDate, toEraDate, toEraParts, toUtcTimestamp } from './era.js';
import { NormalizationError } from './errors.js';

describe(parseDate.name, () => {
  it.each([
    ['S55.04.15', '1980-04-15'],
    ['H01.01.08', '1989-01-08'],
    ['R1.5.1', '2019-05-01'],
    ['平成元年1月8日', '1989-01-08'],
    ['昭和64年1月7日', '1989-01-07'],
    ['平成31年4月30日', '2019-04-30'],
    ['令和元年5月1日', '2019-05-01'],
    ['大正15年12月24日', '1926-12-24'],
    ['昭和元年12月25日', '1926-12-25'],
    ['明治45年7月29日', '1912-07-29'],
    ['大正元年7月30日', '1912-07-30'],
    ['昭和五十五年四月十五日', '1980-04-15'],
    ['㍻元年1月8日', '1989-01-08'],
    ['Ｓ５５．０４．１５', '1980-04-15'],
    ['h01/01/08', '1989-01-08'],
    ['1980-04-15', '1980-04-15'],
    ['1980/4/15', '1980-04-15'],
    ['1980.04.15', '1980-04-15'],
    ['19800415', '1980-04-15'],
    ['1980年4月15日', '1980-04-15'],
    ['２０００－０２－２９', '2000-02-29'],
  ])('%s → %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each([
    ['H31.05.01', 'out_of_era'],
    ['S64.01.08', 'out_of_era'],
    ['H01.01.07', 'out_of_era'],
    ['R01.04.30', 'out_of_era'],
    ['T15.12.25', 'out_of_era'],
    ['S01.12.24', 'out_of_era'],
    ['M01.01.01', 'out_of_era'],
    ['1980-02-30', 'invalid_date'],
    ['1900-02-29', 'invalid_date'],
    ['S55.13.01', 'invalid_date'],
    ['S55.02.30', 'invalid_date'],
    ['H00.01.01', 'invalid_date'],
    ['S55.04', 'invalid_format'],
    ['X55.04.15', 'invalid_format'],
    ['', 'empty'],
  ])('refuses %j (%s)', (input, reason) => {
    expect(() => parseDate(input, 'birthdate')).toThrow(NormalizationError);
    expect(() => parseDate(input, 'birthdate')).toThrow(expect.objectContaining({ field: 'birthdate', reason }));
  });
});

describe(toEraDate.name, () => {
  it.each([
    ['1989-01-07', 'S64.01.07', '昭和64年1月7日'],
    ['1989-01-08', 'H01.01.08', '平成元年1月8日'],
    ['2019-04-30', 'H31.04.30', '平成31年4月30日'],
    ['2019-05-01', 'R01.05.01', '令和元年5月1日'],
    ['1926-12-24', 'T15.12.24', '大正15年12月24日'],
    ['1926-12-25', 'S01.12.25', '昭和元年12月25日'],
  ])('%s → %s / %s', (iso, letter, kanji) => {
    expect(toEraDate(iso)).toBe(letter);
    expect(toEraDate(iso, 'kanji')).toBe(kanji);
    expect(parseDate(letter)).toBe(iso);
    expect(parseDate(kanji)).toBe(iso);
  });

  it('refuses dates before 明治', () => {
    expect(() => toEraDate('1868-10-22')).toThrow(expect.objectContaining({ reason: 'out_of_era' }));
  });
});

describe('era table against Intl (ja-JP-u-ca-japanese)', () => {
  const intl = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
    era: 'long', year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC',
  });
  const parts = (ms: number): { era: string; year: number; month: number; day: number } => {
    const out = { era: '', year: 0, month: 0, day: 0 };
    for (const p of intl.formatToParts(ms)) {
      if (p.type === 'era') out.era = p.value;
      else if (p.type === 'year' || p.type === 'month' || p.type === 'day') out[p.type] = Number(p.value);
    }
    return out;
  };

  it('agrees for every day 1900-01-01 … 2030-12-31', () => {
    const first = daysFromCivil(1900, 1, 1);
    const last = daysFromCivil(2030, 12, 31);
    let checked = 0;
    const disagreements: string[] = [];
    for (let day = first; day <= last; day++) {
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const ours = toEraParts(iso);
      const theirs = parts(day * 86_400_000);
      if (ours.era !== theirs.era || ours.year !== theirs.year || ours.month !== theirs.month || ours.day !== theirs.day) {
        disagreements.push(iso);
      }
      checked++;
    }
    expect(disagreements).toStrictEqual([]);
    expect(checked).toBe(47_847);
  });

  it('agrees on where 明治 begins (1868-10-23)', () => {
    expect(parts(Date.UTC(1868, 9, 23)).era).toBe('明治');
    expect(parts(Date.UTC(1868, 9, 22)).era).not.toBe('明治');
    expect(toEraParts('1868-10-23')).toMatchObject({ era: '明治', year: 1 });
    expect(ERAS[0]!.start).toStrictEqual([1868, 10, 23]);
  });
});

describe(jstMidnightUtc.name, () => {
  it('is midnight in Japan expressed in UTC', () => {
    expect(jstMidnightUtc('2016-04-12')).toBe('2016-04-11T15:00:00.000Z');
    expect(jstMidnightUtc('2000-01-01')).toBe('1999-12-31T15:00:00.000Z');
  });
});

describe(toUtcTimestamp.name, () => {
  it('converts an era date to midnight JST', () => {
    expect(toUtcTimestamp('H28.04.12')).toBe('2016-04-11T15:00:00.000Z');
  });

  it.each(['2016-04-12T24:00:00Z', '2016-02-30T10:00:00Z', 'soon'])('refuses %j', (input) => {
    expect(() => toUtcTimestamp(input)).toThrow(NormalizationError);
  });
});
