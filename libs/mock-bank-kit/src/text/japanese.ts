const FULL_WIDTH_OFFSET = 0xfee0;

/** ASCII digits, Latin letters and '-' to their full-width forms (what older bank systems store). */
export function toFullWidth(text: string): string {
  return text.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET)).replace(/-/g, '－');
}

export function toFullWidthDigits(text: string): string {
  return text.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET));
}

const HALF_WIDTH_KANA: Readonly<Record<string, string>> = {
  ア: 'ｱ', イ: 'ｲ', ウ: 'ｳ', エ: 'ｴ', オ: 'ｵ', カ: 'ｶ', キ: 'ｷ', ク: 'ｸ', ケ: 'ｹ', コ: 'ｺ',
  サ: 'ｻ', シ: 'ｼ', ス: 'ｽ', セ: 'ｾ', ソ: 'ｿ', タ: 'ﾀ', チ: 'ﾁ', ツ: 'ﾂ', テ: 'ﾃ', ト: 'ﾄ',
  ナ: 'ﾅ', ニ: 'ﾆ', ヌ: 'ﾇ', ネ: 'ﾈ', ノ: 'ﾉ', ハ: 'ﾊ', ヒ: 'ﾋ', フ: 'ﾌ', ヘ: 'ﾍ', ホ: 'ﾎ',
  マ: 'ﾏ', ミ: 'ﾐ', ム: 'ﾑ', メ: 'ﾒ', モ: 'ﾓ', ヤ: 'ﾔ', ユ: 'ﾕ', ヨ: 'ﾖ',
  ラ: 'ﾗ', リ: 'ﾘ', ル: 'ﾙ', レ: 'ﾚ', ロ: 'ﾛ', ワ: 'ﾜ', ヲ: 'ｦ', ン: 'ﾝ',
  ァ: 'ｧ', ィ: 'ｨ', ゥ: 'ｩ', ェ: 'ｪ', ォ: 'ｫ', ッ: 'ｯ', ャ: 'ｬ', ュ: 'ｭ', ョ: 'ｮ',
  ー: 'ｰ', '・': '･', '　': ' ', ' ': ' ',
  ガ: 'ｶﾞ', ギ: 'ｷﾞ', グ: 'ｸﾞ', ゲ: 'ｹﾞ', ゴ: 'ｺﾞ', ザ: 'ｻﾞ', ジ: 'ｼﾞ', ズ: 'ｽﾞ', ゼ: 'ｾﾞ', ゾ: 'ｿﾞ',
  ダ: 'ﾀﾞ', ヂ: 'ﾁﾞ', ヅ: 'ﾂﾞ', デ: 'ﾃﾞ', ド: 'ﾄﾞ', バ: 'ﾊﾞ', ビ: 'ﾋﾞ', ブ: 'ﾌﾞ', ベ: 'ﾍﾞ', ボ: 'ﾎﾞ',
  パ: 'ﾊﾟ', ピ: 'ﾋﾟ', プ: 'ﾌﾟ', ペ: 'ﾍﾟ', ポ: 'ﾎﾟ', ヴ: 'ｳﾞ',
};

/** Full-width katakana to half-width (JIS X 0201) katakana, as bank B's legacy system stores it. */
export function toHalfWidthKana(text: string): string {
  return [...text].map((c) => HALF_WIDTH_KANA[c] ?? c).join('');
}

const KANJI_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1..9999 as kanji numerals in the positional style used in addresses (十五, 二十三, 百二). */
export function toKanjiNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) throw new RangeError(`cannot write ${n} in kanji numerals`);
  const units: Array<[number, string]> = [[1000, '千'], [100, '百'], [10, '十']];
  let rest = n;
  let out = '';
  for (const [value, mark] of units) {
    const count = Math.floor(rest / value);
    if (count > 0) out += (count === 1 ? '' : KANJI_DIGITS[count]) + mark;
    rest %= value;
  }
  return rest > 0 ? out + KANJI_DIGITS[rest] : out;
}

interface Era { readonly letter: 'M' | 'T' | 'S' | 'H' | 'R'; readonly name: string; readonly start: string }

/** Era start days (the first day of year 1). Dates before Meiji are not represented. */
export const ERAS: readonly Era[] = [
  { letter: 'R', name: '令和', start: '2019-05-01' },
  { letter: 'H', name: '平成', start: '1989-01-08' },
  { letter: 'S', name: '昭和', start: '1926-12-25' },
  { letter: 'T', name: '大正', start: '1912-07-30' },
  { letter: 'M', name: '明治', start: '1868-10-23' },
];

/** ISO date (YYYY-MM-DD) to bank B's era notation, e.g. 1980-04-15 → S55.04.15, 1989-01-08 → H01.01.08. */
export function toEraDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new RangeError(`not an ISO date: ${isoDate}`);
  const era = ERAS.find((e) => isoDate >= e.start);
  if (!era) throw new RangeError(`date before the Meiji era: ${isoDate}`);
  const year = Number(match[1]) - Number(era.start.slice(0, 4)) + 1;
  return `${era.letter}${String(year).padStart(2, '0')}.${match[2]}.${match[3]}`;
}
