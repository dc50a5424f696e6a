/**
 * Kanji variants folded for comparison only (released names keep the bank's spelling). Each row:
 * the form we compare on, then the variants of it common in family and given names. Chosen from
 * the pairs banks and registries most often disagree on (old/new forms, itaiji in koseki).
 * 斉/斎 are distinct characters but are routinely confused in 斉藤/斎藤, so they fold together.
 */
export const KANJI_VARIANT_ROWS: readonly (readonly [string, string])[] = [
  ['高', '髙'],
  ['崎', '﨑嵜碕'],
  ['辺', '邊邉'],
  ['斎', '齋齊斉'],
  ['浜', '濵濱'],
  ['沢', '澤'],
  ['広', '廣'],
  ['国', '國'],
  ['桜', '櫻'],
  ['徳', '德'],
  ['真', '眞'],
  ['富', '冨'],
  ['島', '嶋嶌'],
  ['籠', '篭'],
  ['峰', '峯'],
  ['館', '舘'],
  ['槙', '槇'],
  ['淵', '渕'],
  ['桧', '檜'],
  ['実', '實'],
  ['恵', '惠'],
  ['曽', '曾'],
  ['栄', '榮'],
  ['児', '兒'],
  ['竜', '龍'],
  ['滝', '瀧'],
  ['万', '萬'],
  ['寿', '壽'],
  ['弥', '彌'],
  ['円', '圓'],
  ['園', '薗'],
  ['条', '條'],
  ['関', '關'],
  ['荘', '莊'],
  ['蔵', '藏'],
  ['伝', '傳'],
  ['黒', '黑'],
  ['青', '靑'],
  ['礼', '禮'],
  ['柳', '栁'],
  ['桑', '桒'],
  ['橋', '槗'],
  ['岳', '嶽'],
  ['吉', '𠮷'],
  ['郷', '鄕'],
  ['寛', '寬'],
];

const VARIANT_TO_BASE = new Map<string, string>();
for (const [base, variants] of KANJI_VARIANT_ROWS) {
  for (const v of variants) VARIANT_TO_BASE.set(v, base);
}
// Without the `u` flag (faster); astral variants such as 𠮷 become surrogate-pair alternatives.
const BMP_VARIANTS = [...VARIANT_TO_BASE.keys()].filter((k) => k.length === 1).join('');
const ASTRAL_VARIANTS = [...VARIANT_TO_BASE.keys()].filter((k) => k.length === 2);
const VARIANT_SOURCE = [`[${BMP_VARIANTS}]`, ...ASTRAL_VARIANTS].join('|');
const VARIANT = new RegExp(VARIANT_SOURCE, 'g');
const HAS_VARIANT = new RegExp(VARIANT_SOURCE);
const toBase = (c: string): string => VARIANT_TO_BASE.get(c) ?? c;

/** Folds the kanji variants of the table to their common form. */
export function foldKanjiVariants(s: string): string {
  return HAS_VARIANT.test(s) ? s.replace(VARIANT, toBase) : s;
}

// ヶ/ケ/ヵ/が/ガ are one sound in place names (茅ヶ崎, 鎌ケ谷, 自由が丘); so are ノ/の/之 (一ノ瀬).
const PLACE_KANA = /[ヶケヵがガノの之]/g;
const HAS_PLACE_KANA = /[ヶケヵがガノの之]/;
const toPlaceBase = (c: string): string => (c === 'ノ' || c === 'の' || c === '之' ? 'ノ' : 'ケ');

/** Place-name folding for comparison: ヶ/ケ/ヵ/が/ガ alike, ノ/の/之 alike, plus kanji variants. */
export function foldPlaceName(s: string): string {
  const folded = foldKanjiVariants(s);
  return HAS_PLACE_KANA.test(folded) ? folded.replace(PLACE_KANA, toPlaceBase) : folded;
}
