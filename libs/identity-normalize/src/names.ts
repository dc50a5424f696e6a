import { NormalizationError } from './errors.js';
import { canonicalKana, splitOnFirstSpace } from './kana.js';
import { foldWhitespace, normalizeText, stripWhitespace } from './text.js';

export interface NameParts {
  family: string;
  given: string;
}

const LATIN = /^[A-Za-z][A-Za-z .,'-]*$/;

/** One part of a name (family or given) on its own: NFKC, no spaces; Latin upper case. */
export function normalizeNamePart(raw: string, field: string): string {
  const s = normalizeText(raw).replace(/,$/, '');
  if (s === '') throw new NormalizationError(field, 'empty');
  // Latin names (foreign residents) keep their spaces, upper case as on a residence card.
  return LATIN.test(s) ? foldWhitespace(s).toUpperCase() : stripWhitespace(s);
}

/**
 * A name in kanji (or Latin) → family and given name, NFKC-normalized, spaces removed.
 * One string is split on its first space (`山田\u3000太郎`, `SMITH JOHN`, `SMITH, JOHN`); a string
 * without one cannot be split and throws rather than guess.
 */
export function normalizeKanjiName(input: string | NameParts, field = 'name'): NameParts {
  if (typeof input !== 'string') {
    return { family: normalizeNamePart(input.family, 'family_name'), given: normalizeNamePart(input.given, 'given_name') };
  }
  const { family, given } = splitOnFirstSpace(normalizeText(input).replace(',', ' '), field);
  return { family: normalizeNamePart(family, 'family_name'), given: normalizeNamePart(given, 'given_name') };
}

/** A kana name (one string split on its space, or parts) → full-width katakana without spaces. */
export function normalizeKanaName(input: string | NameParts, field = 'name_kana'): NameParts {
  if (typeof input !== 'string') {
    return {
      family: canonicalKana(input.family, 'family_name#ja-Kana-JP'),
      given: canonicalKana(input.given, 'given_name#ja-Kana-JP'),
    };
  }
  const { family, given } = splitOnFirstSpace(input.normalize('NFKC'), field);
  return {
    family: canonicalKana(family, 'family_name#ja-Kana-JP'),
    given: canonicalKana(given, 'given_name#ja-Kana-JP'),
  };
}
