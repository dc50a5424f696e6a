import { toFullWidth, toFullWidthDigits, toHalfWidthKana, toKanjiNumeral, type BankCustomer, type KycClaim, type PersonAddress, type PersonQuirks } from '@kyc/mock-bank-kit';

export type BankADocumentType = 'DRIVERS_LICENSE' | 'MY_NUMBER_CARD' | 'RESIDENCE_CARD' | 'PASSPORT' | 'OTHER';

/** Kaede Bank's KYC API record (SPEC §6). Personal fields are present only when consented. */
export interface BankARecord {
  customerNumber: string;
  nameKanji?: string;
  nameKana?: string;
  birthDate?: string;
  address?: string;
  kycStatus: 'VERIFIED';
  kycVerifiedAt: string;
  kycMethod: string;
  idDocument: { type: BankADocumentType; expiry?: string };
}

export interface BankAError {
  errorCode: string;
  message: string;
}

type AQuirks = NonNullable<PersonQuirks['a']>;

const FULL_SPACE = '　';

function renderNameKanji(customer: BankCustomer, quirks: AQuirks): string {
  const { name } = customer.person;
  const family = quirks.family ?? name.family;
  const given = quirks.given ?? name.given;
  const separator = quirks.halfWidthName ? ' ' : FULL_SPACE;
  return name.latin ? `${toFullWidth(family)}${separator}${toFullWidth(given)}` : `${family}${separator}${given}`;
}

function renderNameKana(customer: BankCustomer, quirks: AQuirks): string | undefined {
  const { familyKana, givenKana } = customer.person.name;
  if (familyKana === undefined || givenKana === undefined) return undefined;
  return quirks.halfWidthName ? `${toHalfWidthKana(familyKana)}${FULL_SPACE}${toHalfWidthKana(givenKana)}` : `${familyKana}${FULL_SPACE}${givenKana}`;
}

/** Block numbers the way Kaede Bank's branch staff typed them: mostly full-width digits and '－'. */
function renderBlock(address: PersonAddress, quirks: AQuirks): string {
  const numbers = [address.chome, address.ban, address.go].filter((n): n is number => n !== undefined);
  if (quirks.kanjiNumerals) {
    const chome = address.chome !== undefined ? `${toKanjiNumeral(address.chome)}丁目` : '';
    const go = address.go !== undefined ? `${toFullWidthDigits(String(address.go))}号` : '';
    return `${chome}${toFullWidthDigits(String(address.ban))}番${go}`;
  }
  if (quirks.width === 'half') return numbers.join(quirks.hyphen ?? '-');
  if (quirks.width === 'mixed') {
    return numbers.map((n, i) => (i === 0 ? toFullWidthDigits(String(n)) : String(n))).join(quirks.hyphen ?? '-');
  }
  return numbers.map((n) => toFullWidthDigits(String(n))).join(quirks.hyphen ?? '－');
}

function renderAddress(customer: BankCustomer, quirks: AQuirks): string {
  const { address } = customer.person;
  const digits = (text: string): string => (quirks.width === 'half' ? text : toFullWidth(text));
  const postal = address.postalCode && !quirks.noPostalCode ? `〒${digits(address.postalCode)} ` : '';
  const place = `${address.prefecture}${quirks.municipality ?? address.municipality}${quirks.town ?? address.town}`;
  const building = address.building ? `${FULL_SPACE}${address.building}${address.room ? `${digits(address.room)}号室` : ''}` : '';
  return `${postal}${place}${renderBlock(address, quirks)}${building}`;
}

/** The record with every field, as Kaede Bank's API returns it for a verified customer. */
export function renderBankARecord(customer: BankCustomer): BankARecord {
  const quirks = customer.person.quirks.a ?? {};
  const { kyc, birthdate } = customer.person;
  const nameKana = renderNameKana(customer, quirks);
  return {
    customerNumber: customer.username,
    nameKanji: renderNameKanji(customer, quirks),
    ...(nameKana !== undefined ? { nameKana } : {}),
    birthDate: birthdate,
    address: renderAddress(customer, quirks),
    kycStatus: 'VERIFIED',
    kycVerifiedAt: `${kyc.verifiedAt}+09:00`,
    kycMethod: kyc.method,
    idDocument: kyc.document.expiry ? { type: kyc.document.type, expiry: kyc.document.expiry } : { type: kyc.document.type },
  };
}

export const KYC_NOT_VERIFIED: BankAError = {
  errorCode: 'KYC_NOT_VERIFIED',
  message: 'The customer has no completed identity verification; the bank does not release their data.',
};

/** Exactly what `GET /api/kyc/v1/customer` answers for this customer with every claim consented. */
export function bankAFullResponse(customer: BankCustomer): BankARecord | BankAError {
  return customer.person.kyc.verified ? renderBankARecord(customer) : KYC_NOT_VERIFIED;
}

const CLAIMS_FOR_FIELD: Partial<Record<keyof BankARecord, readonly KycClaim[]>> = {
  nameKanji: ['family_name', 'given_name'],
  nameKana: ['family_name#ja-Kana-JP', 'given_name#ja-Kana-JP'],
  birthDate: ['birthdate'],
  address: ['address'],
};

/**
 * Drops what the consent does not cover, keeping the field order. Kaede Bank stores each name as one
 * string, so it releases it whole when either part is consented; the broker releases only what was asked.
 */
export function filterBankARecord(record: BankARecord, claims: readonly KycClaim[]): BankARecord {
  const kept = Object.entries(record).filter(([field]) => {
    const needs = CLAIMS_FOR_FIELD[field as keyof BankARecord];
    return needs === undefined || needs.some((claim) => claims.includes(claim));
  });
  return Object.fromEntries(kept) as unknown as BankARecord;
}

/** A payload no normalizer can accept: an impossible date. */
export function malformBankARecord(record: BankARecord): BankARecord {
  return record.birthDate !== undefined
    ? { ...record, birthDate: '1980-13-45' }
    : { ...record, kycVerifiedAt: '2016-13-45T25:61:00+09:00' };
}
