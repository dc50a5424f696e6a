const DIGIT = new Map<string, number>([
  ['〇', 0], ['零', 0], ['一', 1], ['二', 2], ['三', 3], ['四', 4],
  ['五', 5], ['六', 6], ['七', 7], ['八', 8], ['九', 9],
]);
const UNIT = new Map<string, number>([['十', 10], ['百', 100], ['千', 1000]]);

/** Characters that may form a kanji numeral (for building regexes). */
export const KANJI_NUMERAL_CHARS = '〇零一二三四五六七八九十百千';

/**
 * Kanji numeral → number, in both styles: positional (`二〇一` → 201) and with units
 * (`二十三` → 23, `百` → 100, `千二百` → 1200). Returns undefined for anything else.
 */
export function kanjiToNumber(s: string): number | undefined {
  let total = 0;
  let pending = -1; // digit waiting for a unit, -1 = none
  let positional = 0;
  let sawUnit = false;
  for (const c of s) {
    const d = DIGIT.get(c);
    if (d !== undefined) {
      if (pending >= 0) positional = positional * 10 + pending;
      pending = d;
      continue;
    }
    const u = UNIT.get(c);
    if (u === undefined) return undefined;
    sawUnit = true;
    total += (pending < 0 ? 1 : pending) * u;
    pending = -1;
  }
  if (s === '') return undefined;
  if (!sawUnit) return positional * 10 + (pending < 0 ? 0 : pending);
  if (positional > 0) return undefined; // mixed styles such as 二三十
  return total + (pending < 0 ? 0 : pending);
}

/** `12` or `十二` → 12; undefined when neither. */
export function parseNumber(s: string): number | undefined {
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) return /^\d+$/.test(s) ? Number(s) : undefined;
  return kanjiToNumber(s);
}
