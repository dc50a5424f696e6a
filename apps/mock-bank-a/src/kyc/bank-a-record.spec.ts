import { describe, expect, it } from 'vitest';
import { EDGE_CASES, bankCustomers, type BankCustomer } from '@kyc/mock-bank-kit';
import { bankAFullResponse, filterBankARecord, malformBankARecord, renderBankARecord } from './bank-a-record.js';

const customers = bankCustomers('a');
const edge = (key: string): BankCustomer => {
  const username = EDGE_CASES.find((e) => e.key === key)?.usernameA;
  const customer = customers.find((c) => c.username === username);
  if (!customer) throw new Error(`no edge case ${key}`);
  return customer;
};

describe(renderBankARecord.name, () => {
  it('renders SPEC §6 format: full-width digits and spaces, 〒, +09:00, document code', () => {
    const sut = renderBankARecord(edge('era-showa-64'));

    expect(sut).toEqual({
      customerNumber: '0000021',
      nameKanji: '佐藤　健一',
      nameKana: 'サトウ　ケンイチ',
      birthDate: '1989-01-07',
      address: '〒１５１－００５３ 東京都渋谷区代々木２－１',
      kycStatus: 'VERIFIED',
      kycVerifiedAt: '2016-04-12T10:31:00+09:00',
      kycMethod: 'FACE_TO_FACE',
      idDocument: { type: 'DRIVERS_LICENSE', expiry: '2026-07-15' },
    });
  });

  it('writes the spelling quirks of the edge cases', () => {
    expect(renderBankARecord(edge('width-mix'))).toMatchObject({ nameKanji: '加藤 拓也', nameKana: 'ｶﾄｳ　ﾀｸﾔ' });
    expect(renderBankARecord(edge('width-mix')).address).toMatch(/２-2-1$/);
    expect(renderBankARecord(edge('kanji-numerals-bank-a')).address).toMatch(/本町二丁目１５番３号$/);
    expect(renderBankARecord(edge('hyphen-minus-sign')).address).toMatch(/３−２−１１$/);
    expect(renderBankARecord(edge('small-ke-town')).address).toContain('霞ヶ関');
    expect(renderBankARecord(edge('no-postal-code')).address).toBe('東京都八王子市元本郷町３－２４－１');
    expect(renderBankARecord(edge('building-room')).address).toMatch(/西新宿２－８－１\u3000新宿パークタワー３２０５号室$/);
    expect(renderBankARecord(edge('foreign-latin')).nameKanji).toBe('ＳＭＩＴＨ　ＪＯＨＮ');
    expect(renderBankARecord(edge('missing-kana'))).not.toHaveProperty('nameKana');
    expect(renderBankARecord(edge('variant-kanji-one-bank')).nameKanji).toBe('髙橋　誠');
    expect(renderBankARecord(edge('document-other')).idDocument).toEqual({ type: 'OTHER' });
  });

  it('renders every customer with a valid shape', () => {
    for (const customer of customers) {
      const record = bankAFullResponse(customer);
      if ('errorCode' in record) continue;
      expect(record.kycVerifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
      expect(record.address).toMatch(/^(〒[０-９0-9]{3}[－-][０-９0-9]{4} )?[^ ]+[都道府県]/);
    }
  });
});

describe(bankAFullResponse.name, () => {
  it('answers KYC_NOT_VERIFIED for an unverified customer', () => {
    expect(bankAFullResponse(edge('kyc-not-verified'))).toMatchObject({ errorCode: 'KYC_NOT_VERIFIED' });
  });
});

describe(filterBankARecord.name, () => {
  it('keeps only consented personal fields and always the verification', () => {
    const sut = filterBankARecord(renderBankARecord(edge('era-heisei-1')), ['given_name', 'address']);

    expect(Object.keys(sut)).toEqual(['customerNumber', 'nameKanji', 'address', 'kycStatus', 'kycVerifiedAt', 'kycMethod', 'idDocument']);
  });
});

describe(malformBankARecord.name, () => {
  it('breaks the birth date, or the verification time when no birth date is released', () => {
    const record = renderBankARecord(edge('era-heisei-1'));

    expect(malformBankARecord(record).birthDate).toBe('1980-13-45');
    expect(malformBankARecord(filterBankARecord(record, ['address'])).kycVerifiedAt).toMatch(/-13-45/);
  });
});
