import type { AddressClaim as CanonicalAddress } from '@kyc/common-schema';
import {
  DESIGNATED_CITIES, IRREGULAR_CITIES, PREFECTURES, TOKYO_ISLANDS, TOKYO_WARDS, type Prefecture,
} from './address-data.js';
import { NormalizationError } from './errors.js';
import { KANJI_NUMERAL_CHARS, parseNumber } from './numerals.js';
import { normalizeHyphens, normalizeText, stripWhitespace } from './text.js';

/** An OIDC `address` claim in canonical form (the common schema's). Absent parts are absent keys. */
export type { CanonicalAddress };

/** An address split into its Japanese fields: 郵便番号, 都道府県, 市区町村, and 番地 with the rest. */
export interface SplitAddressInput {
  yubinBango?: string;
  todofuken?: string;
  shikuchoson?: string;
  banchi?: string;
}

/** Address parts as an applicant or another system may give them. */
export interface AddressPartsInput {
  postal_code?: string;
  region?: string;
  locality?: string;
  street_address?: string;
  country?: string;
  formatted?: string;
}

const PREFECTURE_SET: ReadonlySet<string> = new Set(PREFECTURES);

export function isPrefecture(s: string): s is Prefecture {
  return PREFECTURE_SET.has(s);
}

const POSTAL = /^〒?(\d{3})-?(\d{4})$/;

/** `１００－０００１`, `1000001`, `〒100-0001` → `100-0001`. */
export function normalizePostalCode(s: string, field = 'postal_code'): string {
  return postalOfText(stripWhitespace(normalizeText(s)), field);
}

function postalOfText(t: string, field: string): string {
  if (t === '' || t === '〒') throw new NormalizationError(field, 'empty');
  const m = POSTAL.exec(t);
  if (!m) throw new NormalizationError(field, 'invalid_format');
  return `${m[1]}-${m[2]}`;
}

/** The prefecture the text starts with (3 characters, or 4 for 神奈川県, 和歌山県, 鹿児島県). */
export function leadingPrefecture(s: string): Prefecture | undefined {
  const three = s.slice(0, 3);
  if (PREFECTURE_SET.has(three)) return three as Prefecture;
  const four = s.slice(0, 4);
  return PREFECTURE_SET.has(four) ? (four as Prefecture) : undefined;
}

const alt = (xs: readonly string[]): string => xs.join('|');
const NAME = '[^\\s\\d\\-]';
const DESIGNATED = new RegExp(`^(${alt(DESIGNATED_CITIES)})\\s*(${NAME}{1,4}?区)?`);
const TOKYO = new RegExp(`^(${alt(TOKYO_WARDS)}|${alt(TOKYO_ISLANDS)})`);
const IRREGULAR = new RegExp(`^(${alt(IRREGULAR_CITIES)})`);
const COUNTY = new RegExp(`^(${NAME}{1,5}?郡)\\s*(${NAME}{1,5}?[町村])`);
const CITY = new RegExp(`^(${NAME}{1,6}?市)`);
const TOWN = new RegExp(`^(${NAME}{1,5}?[町村])`);

/**
 * Splits the municipality off the text after the prefecture: a designated city with its ward
 * (横浜市中区), a Tokyo ward (千代田区), a county with its town or village (西多摩郡奥多摩町), or a
 * city / town / village. Returns undefined when none is recognised.
 */
export function splitLocality(s: string, region?: string): [locality: string, rest: string] | undefined {
  let m: RegExpExecArray | null = DESIGNATED.exec(s);
  if (m) return [m[1]! + (m[2] ?? ''), s.slice(m[0].length)];
  if (region === undefined || region === '東京都') m = TOKYO.exec(s);
  m ??= IRREGULAR.exec(s);
  if (m) return [m[1]!, s.slice(m[0].length)];
  m = COUNTY.exec(s);
  if (m) return [m[1]! + m[2]!, s.slice(m[0].length)];
  m = CITY.exec(s) ?? TOWN.exec(s);
  return m ? [m[1]!, s.slice(m[0].length)] : undefined;
}

const K = KANJI_NUMERAL_CHARS;
const CANDIDATE = new RegExp(`\\d+|[${K}]+`, 'g');
// One block unit: a number and what follows it. Kanji numerals need a unit word.
const UNIT = new RegExp(`(\\d+|[${K}]+)(丁目|番地の?|番の?|号|の|-)?`, 'y');
const NUMBER_AHEAD = new RegExp(`\\s*(?:\\d|[${K}]+(?:丁目|番|号))`, 'y');
const DIGIT_AHEAD = /\d/y;
// 番 in a town name: 三番町, 一番丁, 麻布十番一丁目, 麻布十番1-2-3.
const TOWN_BAN = new RegExp(`[町丁]|(?:\\d+|[${K}]+)丁目|\\d+-`, 'y');
const ROOM_GO = /[室館棟]/y;
const WHITESPACE = /\s/;
const TRAILING_NUMBER = /\d[の-]?$/;

function aheadMatches(re: RegExp, s: string, at: number): boolean {
  re.lastIndex = at;
  return re.test(s);
}

/** Whether the unit (number `num` with `suffix`, ending at `end`) can begin a block number. */
function startsBlock(s: string, num: string, suffix: string | undefined, end: number): boolean {
  const kanji = num.charCodeAt(0) > 0x7f;
  if (suffix === undefined) return !kanji && (end === s.length || s[end] === ' ');
  if (suffix === 'の' || suffix === '-') return !kanji && aheadMatches(DIGIT_AHEAD, s, end);
  if (suffix.startsWith('番') && !suffix.startsWith('番地')) return !aheadMatches(TOWN_BAN, s, end);
  if (suffix === '号') return !aheadMatches(ROOM_GO, s, end);
  return true;
}

interface Block {
  start: number;
  end: number;
  numbers: number[];
}

/** Reads consecutive units from `start`: `1丁目2番地3号`, `一丁目十二番`, `1-2-3`, `1番地の2`. */
function readBlock(s: string, start: number): Block {
  const numbers: number[] = [];
  let at = start;
  for (;;) {
    UNIT.lastIndex = at;
    const u = UNIT.exec(s);
    if (!u) return { start, end: at, numbers };
    const [all, num, suffix] = u as unknown as [string, string, string | undefined];
    const separator = suffix === '-' || suffix === 'の';
    const kanji = num.charCodeAt(0) > 0x7f;
    const next = at + all.length;
    if (kanji && (suffix === undefined || separator)) return { start, end: at, numbers };
    if (suffix === '号' && aheadMatches(ROOM_GO, s, next)) return { start, end: at, numbers };
    const n = parseNumber(num);
    if (n === undefined) return { start, end: at, numbers };
    numbers.push(n);
    if (suffix === undefined || suffix === '号') return { start, end: next, numbers };
    if (separator) {
      // `1-` or `1の` with no digit after it: the separator is not part of the block.
      if (!aheadMatches(DIGIT_AHEAD, s, next)) return { start, end: next - 1, numbers };
      at = next;
      continue;
    }
    if (!aheadMatches(NUMBER_AHEAD, s, next)) return { start, end: next, numbers };
    at = next;
    while (s[at] === ' ') at++; // `1丁目 2番`: a space after a unit word is not a building yet
  }
}

function findBlock(s: string): Block | undefined {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(s); m; m = CANDIDATE.exec(s)) {
    UNIT.lastIndex = m.index;
    const u = UNIT.exec(s);
    if (u && u[1] === m[0] && startsBlock(s, m[0], u[2], m.index + u[0].length)) {
      const block = readBlock(s, m.index);
      if (block.numbers.length > 0) return block;
    }
  }
  return undefined;
}

/**
 * Canonical street address: town name, block numbers as digits joined by hyphens (丁目/番(地)/号
 * and kanji numerals converted), then building and room after one space.
 */
export function normalizeStreetAddress(input: string): string {
  return streetOfText(normalizeText(input));
}

function streetOfText(s: string): string {
  const block = findBlock(s);
  if (!block) return s;
  const town = s.slice(0, block.start).trimEnd();
  // Not a block we understand: a space inside the town, or a number right before the block that
  // would merge with it (`0二番`, `1の百号`, `1の 2`).
  if (WHITESPACE.test(town) || TRAILING_NUMBER.test(town)) return s;
  const rest = s.slice(block.end).trim();
  // Removing the space between town and block can put a dash next to a digit: normalize again.
  return normalizeHyphens(`${town}${block.numbers.join('-')}`) + (rest === '' ? '' : ` ${rest}`);
}

const LEADING_POSTAL = /^〒?\s*(\d{3}-?\d{4})(?!\d)\s*/;

/** `〒` + postal code + space + region + locality + street address (no `〒… ` without a code). */
export function formatAddress(a: Omit<CanonicalAddress, 'formatted' | 'country'>): string {
  const head = a.postal_code ? `〒${a.postal_code} ` : '';
  return `${head}${a.region ?? ''}${a.locality ?? ''}${a.street_address ?? ''}`;
}

function assemble(
  field: string,
  postal: string | undefined,
  region: string | undefined,
  locality: string | undefined,
  street: string | undefined,
): CanonicalAddress {
  const out: CanonicalAddress = {};
  if (postal !== undefined) out.postal_code = postal;
  if (region !== undefined) out.region = region;
  if (locality !== undefined && locality !== '') out.locality = locality;
  if (street !== undefined && street !== '') out.street_address = street;
  if (out.region === undefined && out.locality === undefined && out.street_address === undefined) {
    throw new NormalizationError(field, 'empty');
  }
  if (region !== undefined) out.country = 'JP';
  out.formatted = formatAddress(out);
  return out;
}

export interface ParseAddressOptions {
  field?: string;
  /** Bank data must name its prefecture and municipality; an applicant's may omit them. */
  strict?: boolean;
}

/** Parses a one-string address such as `〒１００－０００１ 東京都千代田区千代田１－１ ハイツ１０１号室`. */
export function parseAddress(input: string, options: ParseAddressOptions = {}): CanonicalAddress {
  const { field = 'address', strict = true } = options;
  let s = normalizeText(input);
  if (s === '') throw new NormalizationError(field, 'empty');
  let postal: string | undefined;
  const p = LEADING_POSTAL.exec(s);
  if (p) {
    postal = postalOfText(p[1]!, field);
    s = s.slice(p[0].length);
  }
  const region = leadingPrefecture(s);
  if (region === undefined && strict) throw new NormalizationError(field, 'unknown_region');
  if (region !== undefined) s = s.slice(region.length).trimStart();
  const split = splitLocality(s, region);
  if (split === undefined && strict) throw new NormalizationError(field, 'no_locality');
  const [locality, rest] = split ?? [undefined, s];
  return assemble(field, postal, region, locality, streetOfText(rest.trim()));
}

/**
 * Normalizes address parts given separately (the split form `{yubinBango, todofuken, shikuchoson,
 * banchi}`, or OIDC-style parts). A municipality field that carries part of the town is re-split.
 */
export function normalizeSplitAddress(parts: SplitAddressInput, options: ParseAddressOptions = {}): CanonicalAddress {
  const { field = 'address', strict = true } = options;
  const text = (v: string | undefined): string => (v === undefined ? '' : normalizeText(v));
  const rawPostal = stripWhitespace(text(parts.yubinBango));
  const postal = rawPostal === '' ? undefined : postalOfText(rawPostal, field);
  const region = stripWhitespace(text(parts.todofuken)) || undefined;
  if (region !== undefined && !isPrefecture(region)) throw new NormalizationError(field, 'unknown_region');
  if (region === undefined && strict) throw new NormalizationError(field, 'unknown_region');
  let locality: string | undefined = stripWhitespace(text(parts.shikuchoson)) || undefined;
  let street = text(parts.banchi);
  const split = splitLocality(locality ?? street, region);
  if (locality === undefined) {
    if (split === undefined && strict) throw new NormalizationError(field, 'no_locality');
    if (split) [locality, street] = [split[0], split[1].trim()];
  } else if (split && split[1] !== '') {
    // The municipality field carried part of the town (千代田区千代田): move it to the street.
    [locality, street] = [split[0], split[1] + street];
  }
  return assemble(field, postal, region, locality, streetOfText(street));
}

/** OIDC-style parts (for applicants and re-normalizing canonical values). */
export function normalizeAddressParts(parts: AddressPartsInput, options: ParseAddressOptions = {}): CanonicalAddress {
  const hasParts = [parts.postal_code, parts.region, parts.locality, parts.street_address].some(
    (v) => v !== undefined && v.trim() !== '',
  );
  if (!hasParts && parts.formatted !== undefined) return parseAddress(parts.formatted, options);
  return normalizeSplitAddress(
    { yubinBango: parts.postal_code, todofuken: parts.region, shikuchoson: parts.locality, banchi: parts.street_address },
    options,
  );
}
