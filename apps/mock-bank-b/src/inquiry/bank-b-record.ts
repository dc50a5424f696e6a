import { createHash, randomBytes } from 'node:crypto';
import { toEraDate, toHalfWidthKana, toKanjiNumeral, type BankCustomer, type DocumentType, type KycClaim, type PersonAddress, type PersonQuirks } from '@kyc/mock-bank-kit';

export const INQUIRY_FIELDS = ['NAME', 'KANA', 'DOB', 'ADDR', 'KYC'] as const;
export type InquiryField = (typeof INQUIRY_FIELDS)[number];

/**
 * Tsubame Bank result codes. Business outcomes are HTTP 200 with `header.resultCode`;
 * only token problems (E401, E403) use HTTP 401/403 with a DPoP challenge.
 */
export const RESULT_CODES = {
  OK: '0000',
  /** Request body invalid (fields missing, unknown or duplicated). */
  BAD_REQUEST: 'E001',
  /** Customer not found. */
  CUSTOMER_NOT_FOUND: 'E102',
  /** Customer's identity verification (本人確認) not completed: the bank does not release data. */
  KYC_NOT_VERIFIED: 'E210',
  /** Access token missing, invalid, expired, or its DPoP proof failed (HTTP 401). */
  INVALID_TOKEN: 'E401',
  /** Token lacks the identity scope or the kyc_release consent (HTTP 403). */
  INSUFFICIENT_SCOPE: 'E403',
  /** Too many requests; `header.retryAfter` seconds. */
  TOO_MANY_REQUESTS: 'E429',
  /** Internal error. */
  INTERNAL_ERROR: 'E500',
  /** In maintenance; `header.retryAfter` seconds. */
  MAINTENANCE: 'E503',
} as const;
export type ResultCode = (typeof RESULT_CODES)[keyof typeof RESULT_CODES];

export interface BankBHeader {
  resultCode: ResultCode;
  inquiryId: string;
  resultMessage?: string;
  retryAfter?: number;
}

export interface BankBJusho {
  yubinBango?: string;
  todofuken: string;
  shikuchoson: string;
  banchi: string;
}

export interface BankBBody {
  shimei?: { sei?: string; mei?: string };
  shimeiKana?: string;
  seinengappi?: string;
  jusho?: BankBJusho;
  honninKakunin?: { kubun: '01' | '02' | '03' | '04' | '09'; kakuninBi: string };
}

export interface BankBResponse {
  header: BankBHeader;
  body?: BankBBody;
}

type BQuirks = NonNullable<PersonQuirks['b']>;

const KUBUN: Readonly<Record<DocumentType, '01' | '02' | '03' | '04' | '09'>> = {
  DRIVERS_LICENSE: '01',
  MY_NUMBER_CARD: '02',
  RESIDENCE_CARD: '03',
  PASSPORT: '04',
  OTHER: '09',
};

/** Deterministic per customer so the control listing shows exactly what the API returns. */
export function inquiryIdFor(username: string): string {
  return `IQ${createHash('sha256').update(`tsubame:${username}`).digest('hex').slice(0, 18).toUpperCase()}`;
}

/** 丁目/番/号 the way Tsubame Bank writes them (千代田一丁目1番, 栄町1丁目1番地1号, 中央三丁目十五番八号). */
function renderBanchi(address: PersonAddress, quirks: BQuirks): string {
  const { chome, ban, go } = address;
  const style = quirks.banchiStyle ?? 'kanji-chome';
  let block: string;
  if (style === 'all-kanji') {
    block = `${chome !== undefined ? `${toKanjiNumeral(chome)}丁目` : ''}${toKanjiNumeral(ban)}番${go !== undefined ? `${toKanjiNumeral(go)}号` : ''}`;
  } else if (style === 'banchi-go') {
    block = `${chome !== undefined ? `${chome}丁目` : ''}${ban}番地${go !== undefined ? `${go}号` : ''}`;
  } else if (chome !== undefined) {
    block = `${toKanjiNumeral(chome)}丁目${ban}番${go !== undefined ? `${go}号` : ''}`;
  } else {
    block = `${ban}番地${go !== undefined ? `${go}号` : ''}`;
  }
  const building = address.building ? ` ${address.building}${address.room ? `${address.room}号室` : ''}` : '';
  return `${quirks.town ?? address.town}${block}${building}`;
}

function renderJusho(address: PersonAddress, quirks: BQuirks): BankBJusho {
  const postal = address.postalCode && !quirks.noPostalCode ? { yubinBango: address.postalCode.replace('-', '') } : {};
  return {
    ...postal,
    todofuken: address.prefecture,
    shikuchoson: quirks.municipality ?? address.municipality,
    banchi: renderBanchi(address, quirks),
  };
}

/** The full body, every field, as Tsubame Bank stores the customer. */
export function renderBankBBody(customer: BankCustomer): BankBBody {
  const { name, birthdate, address, kyc } = customer.person;
  const quirks = customer.person.quirks.b ?? {};
  const kana = name.familyKana !== undefined && name.givenKana !== undefined
    ? { shimeiKana: toHalfWidthKana(`${name.familyKana} ${name.givenKana}`) }
    : {};
  return {
    shimei: { sei: quirks.family ?? name.family, mei: quirks.given ?? name.given },
    ...kana,
    seinengappi: toEraDate(birthdate),
    jusho: renderJusho(address, quirks),
    honninKakunin: { kubun: KUBUN[kyc.document.type], kakuninBi: toEraDate(kyc.verifiedAt.slice(0, 10)) },
  };
}

export function bankBError(username: string | undefined, resultCode: ResultCode, resultMessage: string, retryAfter?: number): BankBResponse {
  return {
    header: {
      resultCode,
      inquiryId: username ? inquiryIdFor(username) : `IQ${randomBytes(9).toString('hex').toUpperCase()}`,
      resultMessage,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    },
  };
}

export const KYC_NOT_VERIFIED_MESSAGE = '本人確認が完了していないため、情報を提供できません。';

/** Exactly what the inquiry API answers for this customer with every field requested and consented. */
export function bankBFullResponse(customer: BankCustomer): BankBResponse {
  if (!customer.person.kyc.verified) return bankBError(customer.username, RESULT_CODES.KYC_NOT_VERIFIED, KYC_NOT_VERIFIED_MESSAGE);
  return { header: { resultCode: RESULT_CODES.OK, inquiryId: inquiryIdFor(customer.username) }, body: renderBankBBody(customer) };
}

/**
 * Keeps the requested fields that the consent covers. Names are split (sei/mei) and released per
 * claim; the kana is one string and is released whole when either kana claim is consented.
 */
export function filterBankBBody(body: BankBBody, fields: readonly InquiryField[], claims: readonly KycClaim[]): BankBBody {
  const asked = (field: InquiryField): boolean => fields.includes(field);
  const has = (claim: KycClaim): boolean => claims.includes(claim);
  const shimei = body.shimei && asked('NAME')
    ? { ...(has('family_name') ? { sei: body.shimei.sei } : {}), ...(has('given_name') ? { mei: body.shimei.mei } : {}) }
    : undefined;
  return {
    ...(shimei && Object.keys(shimei).length > 0 ? { shimei } : {}),
    ...(body.shimeiKana !== undefined && asked('KANA') && (has('family_name#ja-Kana-JP') || has('given_name#ja-Kana-JP')) ? { shimeiKana: body.shimeiKana } : {}),
    ...(body.seinengappi !== undefined && asked('DOB') && has('birthdate') ? { seinengappi: body.seinengappi } : {}),
    ...(body.jusho && asked('ADDR') && has('address') ? { jusho: body.jusho } : {}),
    ...(body.honninKakunin && asked('KYC') ? { honninKakunin: body.honninKakunin } : {}),
  };
}

/** A payload no normalizer can accept: an impossible era date. */
export function malformBankBBody(body: BankBBody): BankBBody {
  return body.seinengappi !== undefined
    ? { ...body, seinengappi: 'S99.13.45' }
    : { ...body, honninKakunin: { kubun: body.honninKakunin?.kubun ?? '09', kakuninBi: 'H99.13.45' } };
}
