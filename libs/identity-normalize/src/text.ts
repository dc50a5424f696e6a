// Text made only of these is already NFKC: printable ASCII, hiragana, katakana without the
// voiced-mark and digraph code points, CJK unified ideographs (which never decompose).
const NFKC_STABLE = /^[\x20-\x7E\u3041-\u3096\u30A1-\u30FA\u30FC-\u30FE\u4E00-\u9FFF]*$/;

/** Unicode NFKC: full-width digits/Latin → half-width, half-width kana → full-width (with ﾀﾞ → ダ). */
export function nfkc(s: string): string {
  return NFKC_STABLE.test(s) ? s : s.normalize('NFKC');
}

// Dashes NFKC leaves alone (U+2010–U+2015, U+2212; U+2011 becomes U+2010) plus U+FF0D, U+FE63 for
// callers that skip NFKC, and the long vowel mark ー / ｰ. Dashes mean a hyphen when they touch a
// digit; ー only right after a digit: inside katakana words (ハイツ, センター) it stays a long vowel.
const DASH_LIKE = /[\u2010-\u2015\u2212\uFF0D\uFE63\u30FC\uFF70]/g;
const HAS_DASH_LIKE = /[\u2010-\u2015\u2212\uFF0D\uFE63\u30FC\uFF70]/;

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return (c >= 0x30 && c <= 0x39) || (c >= 0xff10 && c <= 0xff19);
};

function hyphenIfNumeric(c: string, at: number, s: string): string {
  if (isDigitAt(s, at - 1)) return '-';
  return c !== '\u30FC' && c !== '\uFF70' && isDigitAt(s, at + 1) ? '-' : c;
}

/** Turns hyphen look-alikes into `-` where they sit next to digits (block numbers, postal codes). */
export function normalizeHyphens(s: string): string {
  return HAS_DASH_LIKE.test(s) ? s.replace(DASH_LIKE, hyphenIfNumeric) : s;
}

const FULL_WIDTH_ASCII = /[\uFF01-\uFF5E]/g;
const shiftToAscii = (c: string): string => String.fromCharCode(c.charCodeAt(0) - 0xfee0);

/** Full-width ASCII (U+FF01–U+FF5E) and U+3000 to half-width: what NFKC does to them, nothing else. */
export function toHalfWidthAscii(s: string): string {
  return s.replace(FULL_WIDTH_ASCII, shiftToAscii).replace(/\u3000/g, ' ');
}

const WHITESPACE_RUN = /\s+/g; // \s covers U+3000 and U+00A0
const UNFOLDED_SPACE = /[^\S ]| {2}|^ | $/;

/** Any whitespace run (full-width space included) → one space; trimmed. */
export function foldWhitespace(s: string): string {
  return UNFOLDED_SPACE.test(s) ? s.replace(WHITESPACE_RUN, ' ').trim() : s;
}

/** Removes all whitespace, full-width included. */
export function stripWhitespace(s: string): string {
  return s.replace(WHITESPACE_RUN, '');
}

// Already-normalized text (the common case) passes one test: NFKC-stable characters, no dash
// look-alikes, no ー, no whitespace.
const PLAIN = /^[\x21-\x7E\u3041-\u3096\u30A1-\u30FA\u30FD\u30FE\u4E00-\u9FFF]*$/;

/** The common first step for bank text: NFKC, hyphens next to digits, whitespace folded. */
export function normalizeText(s: string): string {
  if (PLAIN.test(s)) return s;
  return foldWhitespace(normalizeHyphens(nfkc(s)));
}
