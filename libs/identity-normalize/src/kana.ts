import { NormalizationError } from './errors.js';
import { foldWhitespace, nfkc } from './text.js';

// A kana followed by a spacing (semi-)voiced mark, or half-width kana with the preceding kana.
const SPACING_MARK = /([\u3041-\u30FF])([\u309B\u309C])/g;
const HALF_WIDTH_KANA = /[\u3041-\u30FF]?[\uFF61-\uFF9F]+/g;
const HIRAGANA = /[\u3041-\u3096\u309D\u309E]/g;
const HAS_HIRAGANA = /[\u3041-\u3096\u309D\u309E]/;

const combineMark = (_: string, base: string, mark: string): string =>
  (base + (mark === '\u309B' ? '\u3099' : '\u309A')).normalize('NFC');
const toNfkc = (m: string): string => m.normalize('NFKC');
const HAS_SPACING_MARK = /[\u309B\u309C]/;
const joinSpacingMarks = (s: string): string => (HAS_SPACING_MARK.test(s) ? s.replace(SPACING_MARK, combineMark) : s);
const shiftToKatakana = (c: string): string => String.fromCharCode(c.charCodeAt(0) + 0x60);

/** Half-width katakana → full-width, joining voiced marks: ﾀﾞ → ダ, ﾊﾟ → パ, ｳﾞ → ヴ. */
export function toFullWidthKatakana(s: string): string {
  return joinSpacingMarks(s.replace(HALF_WIDTH_KANA, toNfkc));
}

/** Hiragana → katakana (ゝゞ → ヽヾ); everything else unchanged. */
export function hiraganaToKatakana(s: string): string {
  return HAS_HIRAGANA.test(s) ? s.replace(HIRAGANA, shiftToKatakana) : s;
}

const KATAKANA_ONLY = /^[\u30A1-\u30FE]+$/; // katakana, ・, ー, ヽ, ヾ
const WHITESPACE = /\s+/g;
const COMBINING_MARK = /[\u3099\u309A]/;

/** Removing spaces can bring a voiced mark next to its kana (ﾊ ﾟ): compose once more. */
const composed = (s: string): string => (COMBINING_MARK.test(s) ? s.normalize('NFC') : s);

/** Canonical released kana: full-width katakana, no spaces. */
export function canonicalKana(s: string, field = 'kana'): string {
  const out = composed(hiraganaToKatakana(nfkc(joinSpacingMarks(s))).replace(WHITESPACE, ''));
  if (out === '') throw new NormalizationError(field, 'empty');
  if (!KATAKANA_ONLY.test(out)) throw new NormalizationError(field, 'invalid_characters');
  return out;
}

/** Splits `ﾔﾏﾀﾞ ﾀﾛｳ` / `ヤマダ\u3000タロウ` on its first (half- or full-width) space. Parts stay raw. */
export function splitOnFirstSpace(s: string, field: string): { family: string; given: string } {
  const folded = foldWhitespace(s);
  const at = folded.indexOf(' ');
  if (folded === '') throw new NormalizationError(field, 'empty');
  if (at < 0) throw new NormalizationError(field, 'unsplittable_name');
  return { family: folded.slice(0, at), given: folded.slice(at + 1) };
}

/** Splits a one-string kana name and canonicalizes both parts. */
export function splitKanaName(s: string, field = 'kana'): { family: string; given: string } {
  const { family, given } = splitOnFirstSpace(s, field);
  return { family: canonicalKana(family, field), given: canonicalKana(given, field) };
}

const SMALL_TO_LARGE = new Map<string, string>(
  [
    ['ァ', 'ア'], ['ィ', 'イ'], ['ゥ', 'ウ'], ['ェ', 'エ'], ['ォ', 'オ'], ['ッ', 'ツ'], ['ャ', 'ヤ'],
    ['ュ', 'ユ'], ['ョ', 'ヨ'], ['ヮ', 'ワ'], ['ヵ', 'カ'], ['ヶ', 'ケ'], ['ㇰ', 'ク'], ['ㇱ', 'シ'],
    ['ㇲ', 'ス'], ['ㇳ', 'ト'], ['ㇴ', 'ヌ'], ['ㇵ', 'ハ'], ['ㇶ', 'ヒ'], ['ㇷ', 'フ'], ['ㇸ', 'ヘ'],
    ['ㇹ', 'ホ'], ['ㇺ', 'ム'], ['ㇻ', 'ラ'], ['ㇼ', 'リ'], ['ㇽ', 'ル'], ['ㇾ', 'レ'], ['ㇿ', 'ロ'],
  ],
);
const SMALL_KANA = /[ァィゥェォッャュョヮヵヶ\u31F0-\u31FF]/g;
const HAS_SMALL_KANA = /[ァィゥェォッャュョヮヵヶ\u31F0-\u31FF]/;
const toLarge = (c: string): string => SMALL_TO_LARGE.get(c) ?? c;
const IGNORED_IN_COMPARISON = /[\s・]+/g;

/**
 * Kana folded for comparison only: katakana, no spaces or ・, small kana as large (ッ → ツ).
 * ヴ and the long vowel mark ー are kept: they are spelled deliberately.
 */
export function foldKanaForComparison(s: string): string {
  const kana = hiraganaToKatakana(nfkc(joinSpacingMarks(s))).replace(IGNORED_IN_COMPARISON, '');
  return composed(HAS_SMALL_KANA.test(kana) ? kana.replace(SMALL_KANA, toLarge) : kana);
}
