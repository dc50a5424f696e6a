/** Unicode NFKC: full-width digits/Latin → half-width, half-width kana → full-width (with ﾀﾞ → ダ). */
export function nfkc(s: string): string {
  return s.normalize('NFKC');
}

// Dashes NFKC leaves alone (U+2010–U+2015, U+2212; U+2011 becomes U+2010) plus U+FF0D, U+FE63 for
// callers that skip NFKC. They mean a hyphen when they touch a digit.
const DASH_NEAR_DIGIT =
  /(?<=[0-9０-９])[\u2010-\u2015\u2212\uFF0D\uFE63]|[\u2010-\u2015\u2212\uFF0D\uFE63](?=[0-9０-９])/g;
// The long vowel mark ー (and half-width ｰ) is a hyphen only right after a digit: inside katakana
// words (ハイツ, センター) it stays a long vowel.
const CHOON_AFTER_DIGIT = /(?<=[0-9０-９])[\u30FC\uFF70]/g;

/** Turns hyphen look-alikes into `-` where they sit next to digits (block numbers, postal codes). */
export function normalizeHyphens(s: string): string {
  return s.replace(DASH_NEAR_DIGIT, '-').replace(CHOON_AFTER_DIGIT, '-');
}

const FULL_WIDTH_ASCII = /[\uFF01-\uFF5E]/g;
const shiftToAscii = (c: string): string => String.fromCharCode(c.charCodeAt(0) - 0xfee0);

/** Full-width ASCII (U+FF01–U+FF5E) and U+3000 to half-width: what NFKC does to them, nothing else. */
export function toHalfWidthAscii(s: string): string {
  return s.replace(FULL_WIDTH_ASCII, shiftToAscii).replace(/\u3000/g, ' ');
}

const WHITESPACE_RUN = /\s+/g; // \s covers U+3000 and U+00A0

/** Any whitespace run (full-width space included) → one space; trimmed. */
export function foldWhitespace(s: string): string {
  return s.replace(WHITESPACE_RUN, ' ').trim();
}

/** Removes all whitespace, full-width included. */
export function stripWhitespace(s: string): string {
  return s.replace(WHITESPACE_RUN, '');
}

/** The common first step for bank text: NFKC, hyphens next to digits, whitespace folded. */
export function normalizeText(s: string): string {
  return foldWhitespace(normalizeHyphens(nfkc(s)));
}
