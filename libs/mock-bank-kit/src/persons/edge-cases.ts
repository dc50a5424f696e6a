import type { Person, PersonAddress, PersonKyc, PersonName, PersonQuirks } from './person.js';

export interface EdgeCase {
  readonly key: string;
  /** Login username (customer number) at Kaede Bank (A) and at Tsubame Bank (B). */
  readonly usernameA: string;
  readonly usernameB: string;
  readonly personRef: string;
  readonly exercises: string;
  readonly person: Person;
}

interface EdgeSpec {
  readonly key: string;
  readonly exercises: string;
  readonly name: PersonName;
  readonly birthdate: string;
  readonly address: PersonAddress;
  readonly kyc?: Partial<PersonKyc>;
  readonly quirks?: PersonQuirks;
}

const jp = (family: string, given: string, familyKana: string, givenKana: string): PersonName =>
  ({ family, given, familyKana, givenKana, latin: false });

const DEFAULT_KYC: PersonKyc = {
  verified: true,
  verifiedAt: '2016-04-12T10:31:00',
  method: 'FACE_TO_FACE',
  document: { type: 'DRIVERS_LICENSE', expiry: '2026-07-15' },
};

const SPECS: readonly EdgeSpec[] = [
  {
    key: 'era-showa-64', exercises: 'birthdate 1989-01-07, the last day of 昭和 (S64.01.07)',
    name: jp('佐藤', '健一', 'サトウ', 'ケンイチ'), birthdate: '1989-01-07',
    address: { postalCode: '151-0053', prefecture: '東京都', municipality: '渋谷区', town: '代々木', chome: 2, ban: 1 },
  },
  {
    key: 'era-heisei-1', exercises: 'birthdate 1989-01-08, 平成元年 (H01.01.08)',
    name: jp('鈴木', '美咲', 'スズキ', 'ミサキ'), birthdate: '1989-01-08',
    address: { postalCode: '231-0023', prefecture: '神奈川県', municipality: '横浜市中区', town: '山下町', ban: 10 },
  },
  {
    key: 'era-heisei-31', exercises: 'birthdate 2019-04-30, the last day of 平成 (H31.04.30)',
    name: jp('田中', '陽翔', 'タナカ', 'ハルト'), birthdate: '2019-04-30',
    address: { postalCode: '460-0008', prefecture: '愛知県', municipality: '名古屋市中区', town: '栄', chome: 3, ban: 15, go: 2 },
    kyc: { verifiedAt: '2024-06-03T11:05:00', document: { type: 'MY_NUMBER_CARD', expiry: '2029-04-30' } },
  },
  {
    key: 'era-reiwa-1', exercises: 'birthdate 2019-05-01, 令和元年 (R01.05.01)',
    name: jp('伊藤', '結衣', 'イトウ', 'ユイ'), birthdate: '2019-05-01',
    address: { postalCode: '530-0001', prefecture: '大阪府', municipality: '大阪市北区', town: '梅田', chome: 1, ban: 2, go: 3 },
    kyc: { verifiedAt: '2024-07-19T15:40:00', document: { type: 'MY_NUMBER_CARD', expiry: '2029-05-01' } },
  },
  {
    key: 'era-taisho', exercises: 'birthdate 1926-12-24, 大正15年, the last day of 大正 (T15.12.24)',
    name: jp('中村', '一郎', 'ナカムラ', 'イチロウ'), birthdate: '1926-12-24',
    address: { postalCode: '604-8005', prefecture: '京都府', municipality: '京都市中京区', town: '恵比須町', ban: 534 },
    kyc: { verifiedAt: '2012-09-10T10:00:00', document: { type: 'OTHER' }, method: 'POSTAL' },
  },
  {
    key: 'era-showa-1', exercises: 'birthdate 1926-12-25, 昭和元年 (S01.12.25)',
    name: jp('小林', '花子', 'コバヤシ', 'ハナコ'), birthdate: '1926-12-25',
    address: { postalCode: '810-0001', prefecture: '福岡県', municipality: '福岡市中央区', town: '天神', chome: 1, ban: 1, go: 1 },
    kyc: { verifiedAt: '2013-03-01T13:20:00', document: { type: 'MY_NUMBER_CARD', expiry: '2027-12-25' } },
  },
  {
    key: 'width-mix', exercises: 'half-width and full-width mixed in one record (bank A: half-width space and kana, mixed digits)',
    name: jp('加藤', '拓也', 'カトウ', 'タクヤ'), birthdate: '1975-11-03',
    address: { postalCode: '220-0012', prefecture: '神奈川県', municipality: '横浜市西区', town: 'みなとみらい', chome: 2, ban: 2, go: 1 },
    quirks: { a: { width: 'mixed', halfWidthName: true } },
  },
  {
    key: 'missing-kana', exercises: 'no kana reading recorded at either bank',
    name: { family: '吉田', given: '由美', latin: false }, birthdate: '1968-02-29',
    address: { postalCode: '980-0811', prefecture: '宮城県', municipality: '仙台市青葉区', town: '一番町', chome: 4, ban: 6, go: 1 },
  },
  {
    key: 'foreign-latin', exercises: 'foreign resident with a Latin name (SMITH JOHN / スミス ジョン), residence card, building and room',
    name: { family: 'SMITH', given: 'JOHN', familyKana: 'スミス', givenKana: 'ジョン', latin: true }, birthdate: '1985-07-04',
    address: { postalCode: '106-0032', prefecture: '東京都', municipality: '港区', town: '六本木', chome: 6, ban: 10, go: 1, building: '六本木ヒルズレジデンス', room: '1203' },
    kyc: { verifiedAt: '2021-10-05T14:12:00', document: { type: 'RESIDENCE_CARD', expiry: '2027-10-04' } },
  },
  {
    key: 'foreign-latin-two-word-given', exercises: 'foreign resident with a two-word given name (NGUYEN VAN AN / グエン ヴァンアン), passport, ヴ in kana',
    name: { family: 'NGUYEN', given: 'VAN AN', familyKana: 'グエン', givenKana: 'ヴァンアン', latin: true }, birthdate: '1994-03-21',
    address: { postalCode: '332-0012', prefecture: '埼玉県', municipality: '川口市', town: '本町', chome: 4, ban: 1, go: 8 },
    kyc: { verifiedAt: '2022-02-14T09:45:00', method: 'ONLINE_EKYC', document: { type: 'PASSPORT', expiry: '2031-05-30' } },
  },
  {
    key: 'variant-kanji-one-bank', exercises: 'variant kanji 髙橋 at bank A, the common 高橋 at bank B',
    name: jp('髙橋', '誠', 'タカハシ', 'マコト'), birthdate: '1972-08-19',
    address: { postalCode: '273-0005', prefecture: '千葉県', municipality: '船橋市', town: '本町', chome: 1, ban: 3, go: 1 },
    quirks: { b: { family: '高橋' } },
  },
  {
    key: 'variant-kanji-yamasaki', exercises: 'variant kanji 山﨑 at both banks',
    name: jp('山﨑', 'さくら', 'ヤマザキ', 'サクラ'), birthdate: '1990-04-01',
    address: { postalCode: '920-0981', prefecture: '石川県', municipality: '金沢市', town: '片町', chome: 2, ban: 2, go: 15 },
  },
  {
    key: 'variant-kanji-watanabe', exercises: 'variant kanji 渡邊 at both banks',
    name: jp('渡邊', '直樹', 'ワタナベ', 'ナオキ'), birthdate: '1966-12-01',
    address: { postalCode: '650-0001', prefecture: '兵庫県', municipality: '神戸市中央区', town: '加納町', chome: 6, ban: 5, go: 1 },
  },
  {
    key: 'building-room', exercises: 'address with building and room',
    name: jp('山本', '陽子', 'ヤマモト', 'ヨウコ'), birthdate: '1983-05-23',
    address: { postalCode: '160-0023', prefecture: '東京都', municipality: '新宿区', town: '西新宿', chome: 2, ban: 8, go: 1, building: '新宿パークタワー', room: '3205' },
  },
  {
    key: 'no-postal-code', exercises: 'no postal code at either bank',
    name: jp('井上', '修', 'イノウエ', 'オサム'), birthdate: '1958-10-10',
    address: { prefecture: '東京都', municipality: '八王子市', town: '元本郷町', chome: 3, ban: 24, go: 1 },
  },
  {
    key: 'postal-code-bank-a-only', exercises: 'postal code recorded at bank A only',
    name: jp('木村', '愛', 'キムラ', 'アイ'), birthdate: '1999-12-31',
    address: { postalCode: '380-0836', prefecture: '長野県', municipality: '長野市', town: '南県町', ban: 1010 },
    quirks: { b: { noPostalCode: true } },
  },
  {
    key: 'kanji-numerals-bank-a', exercises: 'bank A writes the block in kanji numerals with 丁目/番/号 (本町二丁目15番3号) instead of digits',
    name: jp('松本', '隆', 'マツモト', 'タカシ'), birthdate: '1961-06-30',
    address: { postalCode: '370-0811', prefecture: '群馬県', municipality: '高崎市', town: '本町', chome: 2, ban: 15, go: 3 },
    quirks: { a: { kanjiNumerals: true } },
  },
  {
    key: 'all-kanji-banchi-bank-b', exercises: 'bank B writes every number in kanji (中央三丁目十五番八号)',
    name: jp('清水', '恵子', 'シミズ', 'ケイコ'), birthdate: '1954-01-15',
    address: { postalCode: '260-0013', prefecture: '千葉県', municipality: '千葉市中央区', town: '中央', chome: 3, ban: 15, go: 8 },
    quirks: { b: { banchiStyle: 'all-kanji' } },
  },
  {
    key: 'banchi-go-bank-b', exercises: 'bank B writes 番地 and 号 with digits (栄町1丁目1番地1号)',
    name: jp('森', '亮', 'モリ', 'リョウ'), birthdate: '1988-09-09',
    address: { postalCode: '500-8833', prefecture: '岐阜県', municipality: '岐阜市', town: '栄町', chome: 1, ban: 1, go: 1 },
    quirks: { b: { banchiStyle: 'banchi-go' } },
  },
  {
    key: 'kyc-not-verified', exercises: 'KYC not verified: bank A 403 KYC_NOT_VERIFIED, bank B E210',
    name: jp('池田', '翔太', 'イケダ', 'ショウタ'), birthdate: '2001-02-03',
    address: { postalCode: '730-0011', prefecture: '広島県', municipality: '広島市中区', town: '基町', ban: 6, go: 78 },
    kyc: { verified: false, method: 'ONLINE_EKYC', document: { type: 'OTHER' } },
  },
  {
    key: 'small-ke-town', exercises: 'ヶ/ケ/が in a town name: truth 霞が関, bank A 霞ヶ関, bank B 霞ケ関',
    name: jp('橋本', '浩二', 'ハシモト', 'コウジ'), birthdate: '1970-03-03',
    address: { postalCode: '100-0013', prefecture: '東京都', municipality: '千代田区', town: '霞が関', chome: 1, ban: 3, go: 1 },
    quirks: { a: { town: '霞ヶ関' }, b: { town: '霞ケ関' } },
  },
  {
    key: 'small-ke-city', exercises: 'ヶ/ケ in a municipality name: bank A 茅ヶ崎市, bank B 茅ケ崎市',
    name: jp('石川', '裕子', 'イシカワ', 'ユウコ'), birthdate: '1979-07-07',
    address: { postalCode: '253-0044', prefecture: '神奈川県', municipality: '茅ヶ崎市', town: '新栄町', ban: 13, go: 32 },
    quirks: { b: { municipality: '茅ケ崎市' } },
  },
  {
    key: 'county-town', exercises: 'municipality with a county (西多摩郡奥多摩町), no 丁目',
    name: jp('阿部', '学', 'アベ', 'マナブ'), birthdate: '1947-11-11',
    address: { postalCode: '198-0212', prefecture: '東京都', municipality: '西多摩郡奥多摩町', town: '氷川', ban: 215 },
  },
  {
    key: 'designated-city-ward', exercises: "designated city's ward (横浜市中区)",
    name: jp('石井', '明美', 'イシイ', 'アケミ'), birthdate: '1963-04-18',
    address: { postalCode: '231-0021', prefecture: '神奈川県', municipality: '横浜市中区', town: '日本大通', ban: 1 },
  },
  {
    key: 'hyphen-minus-sign', exercises: 'bank A writes the block hyphen as U+2212 (−)',
    name: jp('前田', '和也', 'マエダ', 'カズヤ'), birthdate: '1982-10-27',
    address: { postalCode: '790-0001', prefecture: '愛媛県', municipality: '松山市', town: '一番町', chome: 3, ban: 2, go: 11 },
    quirks: { a: { hyphen: '−' } },
  },
  {
    key: 'hyphen-long-vowel', exercises: 'bank A writes the block hyphen as the long vowel mark U+30FC (ー)',
    name: jp('岡田', '智子', 'オカダ', 'トモコ'), birthdate: '1974-12-12',
    address: { postalCode: '760-0050', prefecture: '香川県', municipality: '高松市', town: '亀井町', ban: 7, go: 9 },
    quirks: { a: { hyphen: 'ー' } },
  },
  {
    key: 'document-my-number-card', exercises: 'My Number card, online eKYC (bank B kubun 02)',
    name: jp('長谷川', '勇気', 'ハセガワ', 'ユウキ'), birthdate: '1996-08-08',
    address: { postalCode: '812-0011', prefecture: '福岡県', municipality: '福岡市博多区', town: '博多駅前', chome: 2, ban: 1, go: 1 },
    kyc: { verifiedAt: '2023-01-16T16:02:00', method: 'ONLINE_EKYC', document: { type: 'MY_NUMBER_CARD', expiry: '2033-08-08' } },
  },
  {
    key: 'document-passport', exercises: 'passport (bank B kubun 04)',
    name: jp('藤田', '彩', 'フジタ', 'アヤ'), birthdate: '1992-01-20',
    address: { postalCode: '900-0015', prefecture: '沖縄県', municipality: '那覇市', town: '久茂地', chome: 1, ban: 1, go: 1 },
    kyc: { verifiedAt: '2019-05-07T10:10:00', document: { type: 'PASSPORT', expiry: '2028-11-01' } },
  },
  {
    key: 'document-other', exercises: 'other document without expiry, postal verification (bank B kubun 09)',
    name: jp('後藤', '博之', 'ゴトウ', 'ヒロユキ'), birthdate: '1950-05-05',
    address: { postalCode: '020-0021', prefecture: '岩手県', municipality: '盛岡市', town: '中央通', chome: 1, ban: 1, go: 38 },
    kyc: { verifiedAt: '2010-12-01T09:00:00', method: 'POSTAL', document: { type: 'OTHER' } },
  },
  {
    key: 'document-expired', exercises: "driver's licence that expired after the KYC check",
    name: jp('近藤', '舞', 'コンドウ', 'マイ'), birthdate: '1986-06-16',
    address: { postalCode: '420-0853', prefecture: '静岡県', municipality: '静岡市葵区', town: '追手町', ban: 9, go: 6 },
    kyc: { verifiedAt: '2014-08-20T12:30:00', document: { type: 'DRIVERS_LICENSE', expiry: '2019-07-16' } },
  },
];

/** Edge-case customers occupy fixed positions right after the 20 demo customers at both banks. */
export const EDGE_CASE_FIRST_POSITION = 21;

function build(spec: EdgeSpec, index: number): EdgeCase {
  const position = EDGE_CASE_FIRST_POSITION + index;
  const personRef = `p-${String(position).padStart(6, '0')}`;
  const kyc: PersonKyc = { ...DEFAULT_KYC, ...spec.kyc };
  return {
    key: spec.key,
    usernameA: bankAUsername(position),
    usernameB: bankBUsername(position),
    personRef,
    exercises: spec.exercises,
    person: { ref: personRef, name: spec.name, birthdate: spec.birthdate, address: spec.address, kyc, quirks: spec.quirks ?? {} },
  };
}

/** Kaede Bank customer numbers: 7 digits. */
export function bankAUsername(position: number): string {
  return String(position).padStart(7, '0');
}

/** Tsubame Bank customer numbers: 'T' + 8 digits. */
export function bankBUsername(position: number): string {
  return `T${10_000_000 + position}`;
}

/** Edge cases at fixed usernames: A `0000021`…, B `T10000021`… in this order. */
export const EDGE_CASES: readonly EdgeCase[] = SPECS.map(build);
