import { NormalizationError } from './errors.js';
import { KANJI_NUMERAL_CHARS, parseNumber } from './numerals.js';
import { nfkc } from './text.js';

export type EraName = '明治' | '大正' | '昭和' | '平成' | '令和';
export type EraLetter = 'M' | 'T' | 'S' | 'H' | 'R';

interface Era {
  readonly name: EraName;
  readonly letter: EraLetter;
  readonly start: readonly [number, number, number];
  readonly firstDay: number;
  lastDay: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const era = (name: EraName, letter: EraLetter, y: number, m: number, d: number): Era => ({
  name, letter, start: [y, m, d], firstDay: daysFromCivil(y, m, d), lastDay: Infinity,
});

/**
 * First days in the Gregorian calendar. 明治 starts 1868-10-23 (the day the era name was
 * proclaimed), which is what ICU/Intl uses; the era was made retroactive to the lunar new year
 * (1868-01-25), but dates before 1873 were lunar anyway and no living customer was born then.
 */
export const ERAS: readonly Era[] = [
  era('明治', 'M', 1868, 10, 23),
  era('大正', 'T', 1912, 7, 30),
  era('昭和', 'S', 1926, 12, 25),
  era('平成', 'H', 1989, 1, 8),
  era('令和', 'R', 2019, 5, 1),
];
for (let i = 0; i + 1 < ERAS.length; i++) ERAS[i]!.lastDay = ERAS[i + 1]!.firstDay - 1;

const ERA_BY_KEY = new Map<string, Era>();
for (const e of ERAS) {
  ERA_BY_KEY.set(e.name, e);
  ERA_BY_KEY.set(e.letter, e);
  ERA_BY_KEY.set(e.letter.toLowerCase(), e);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function isValidDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const isoOf = (y: number, m: number, d: number): string => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;

const N = `\\d{1,2}|[${KANJI_NUMERAL_CHARS}]{1,3}`;
const ERA_DATE = new RegExp(
  `^(明治|大正|昭和|平成|令和|[MTSHRmtshr])\\s*(${N}|元)\\s*(?:年|[./-])\\s*(${N})\\s*(?:月|[./-])\\s*(${N})\\s*日?$`,
);
const GREGORIAN_DATE = /^(\d{4})\s*(?:年|[./-])\s*(\d{1,2})\s*(?:月|[./-])\s*(\d{1,2})\s*日?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A date in any form the banks or applicants use → ISO `YYYY-MM-DD`:
 * `1980-04-15`, `1980/4/15`, `19800415`, `1980年4月15日`, `S55.04.15`, `H01.01.08`, `R1.5.1`,
 * `平成元年1月8日`, `昭和六十四年一月七日`. Impossible dates and dates outside their era throw.
 */
export function parseDate(input: string, field = 'date'): string {
  const [y, m, d] = parseDateParts(input, field);
  return isoOf(y, m, d);
}

type Ymd = [year: number, month: number, day: number];

function parseDateParts(input: string, field: string): Ymd {
  const s = nfkc(input).trim();
  if (s === '') throw new NormalizationError(field, 'empty');
  const first = s.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) {
    const g = ISO_DATE.exec(s) ?? GREGORIAN_DATE.exec(s) ?? COMPACT_DATE.exec(s);
    if (!g) throw new NormalizationError(field, 'invalid_format');
    return checked(Number(g[1]), Number(g[2]), Number(g[3]), field);
  }
  const e = ERA_DATE.exec(s);
  if (!e) throw new NormalizationError(field, 'invalid_format');
  const era = ERA_BY_KEY.get(e[1]!)!;
  const year = e[2] === '元' ? 1 : parseNumber(e[2]!);
  const month = parseNumber(e[3]!);
  const day = parseNumber(e[4]!);
  if (year === undefined || month === undefined || day === undefined || year < 1) {
    throw new NormalizationError(field, 'invalid_date');
  }
  const ymd = checked(era.start[0] + year - 1, month, day, field);
  const days = daysFromCivil(...ymd);
  if (days < era.firstDay || days > era.lastDay) throw new NormalizationError(field, 'out_of_era');
  return ymd;
}

function checked(y: number, m: number, d: number, field: string): Ymd {
  if (!isValidDate(y, m, d)) throw new NormalizationError(field, 'invalid_date');
  return [y, m, d];
}

function parseIso(iso: string, field: string): Ymd {
  const g = ISO_DATE.exec(iso);
  if (!g) throw new NormalizationError(field, 'invalid_format');
  return checked(Number(g[1]), Number(g[2]), Number(g[3]), field);
}

export interface EraDateParts {
  era: EraName;
  letter: EraLetter;
  year: number;
  month: number;
  day: number;
}

/** ISO date → its era, era year, month and day. Dates before 明治 throw `out_of_era`. */
export function toEraParts(iso: string, field = 'date'): EraDateParts {
  const [y, m, d] = parseIso(iso, field);
  const days = daysFromCivil(y, m, d);
  for (let i = ERAS.length - 1; i >= 0; i--) {
    const e = ERAS[i]!;
    if (days >= e.firstDay) return { era: e.name, letter: e.letter, year: y - e.start[0] + 1, month: m, day: d };
  }
  throw new NormalizationError(field, 'out_of_era');
}

/** ISO date → `H01.01.08` (letter style, default) or `平成元年1月8日`. */
export function toEraDate(iso: string, style: 'letter' | 'kanji' = 'letter'): string {
  const p = toEraParts(iso);
  if (style === 'kanji') return `${p.era}${p.year === 1 ? '元' : p.year}年${p.month}月${p.day}日`;
  return `${p.letter}${pad(p.year, 2)}.${pad(p.month, 2)}.${pad(p.day, 2)}`;
}

const JST_OFFSET_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;

/** A date-only bank date means midnight Japan time: `2016-04-12` → `2016-04-11T15:00:00.000Z`. */
export function jstMidnightUtc(isoDate: string, field = 'date'): string {
  return midnightJst(parseIso(isoDate, field));
}

const midnightJst = ([y, m, d]: Ymd): string => new Date(daysFromCivil(y, m, d) * DAY_MS - JST_OFFSET_MS).toISOString();

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * A verification time → UTC RFC 3339 with milliseconds. Accepts timestamps with an offset or `Z`
 * (a timestamp without offset is Japan time), and any date `parseDate` accepts (midnight JST).
 */
export function toUtcTimestamp(input: string, field = 'verification_time'): string {
  const t = TIMESTAMP.exec(input) ?? TIMESTAMP.exec(input.normalize('NFKC').trim());
  if (!t) return midnightJst(parseDateParts(input, field));
  const num = (i: number): number => (t[i] === undefined ? 0 : Number(t[i]));
  const [y, mo, d, h, mi, sec, offH, offM] = [num(1), num(2), num(3), num(4), num(5), num(6), num(10), num(11)];
  if (!isValidDate(y, mo, d) || h > 23 || mi > 59 || sec > 59 || offH > 23 || offM > 59) {
    throw new NormalizationError(field, 'invalid_date');
  }
  const ms = t[7] ? Math.floor(Number(t[7]) * 1000) : 0;
  const sign = t[9] === '-' ? -1 : 1;
  const offset = t[8] ? 0 : t[9] ? sign * (offH * 3600_000 + offM * 60_000) : JST_OFFSET_MS;
  const utc = daysFromCivil(y, mo, d) * DAY_MS + h * 3600_000 + mi * 60_000 + sec * 1000 + ms - offset;
  return new Date(utc).toISOString();
}
