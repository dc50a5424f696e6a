import { describe, expect, it } from 'vitest';
import { EDGE_CASES, bankCustomers, type BankCustomer } from '@kyc/mock-bank-kit';
import { bankBFullResponse, filterBankBBody, inquiryIdFor, malformBankBBody, renderBankBBody } from './bank-b-record.js';

const customers = bankCustomers('b');
const edge = (key: string): BankCustomer => {
  const username = EDGE_CASES.find((e) => e.key === key)?.usernameB;
  const customer = customers.find((c) => c.username === username);
  if (!customer) throw new Error(`no edge case ${key}`);
  return customer;
};

describe(renderBankBBody.name, () => {
  it('renders SPEC §6 format: era dates, half-width kana, split address, kubun', () => {
    const sut = bankBFullResponse(edge('era-showa-64'));

    expect(sut).toEqual({
      header: { resultCode: '0000', inquiryId: inquiryIdFor('T10000021') },
      body: {
        shimei: { sei: '佐藤', mei: '健一' },
        shimeiKana: 'ｻﾄｳ ｹﾝｲﾁ',
        seinengappi: 'S64.01.07',
        jusho: { yubinBango: '1510053', todofuken: '東京都', shikuchoson: '渋谷区', banchi: '代々木二丁目1番' },
        honninKakunin: { kubun: '01', kakuninBi: 'H28.04.12' },
      },
    });
  });

  it('writes 元年 as year 01 and the other era boundaries', () => {
    expect(renderBankBBody(edge('era-heisei-1')).seinengappi).toBe('H01.01.08');
    expect(renderBankBBody(edge('era-heisei-31')).seinengappi).toBe('H31.04.30');
    expect(renderBankBBody(edge('era-reiwa-1')).seinengappi).toBe('R01.05.01');
    expect(renderBankBBody(edge('era-taisho')).seinengappi).toBe('T15.12.24');
    expect(renderBankBBody(edge('era-showa-1')).seinengappi).toBe('S01.12.25');
  });

  it('writes the spelling quirks of the edge cases', () => {
    expect(renderBankBBody(edge('all-kanji-banchi-bank-b')).jusho?.banchi).toBe('中央三丁目十五番八号');
    expect(renderBankBBody(edge('banchi-go-bank-b')).jusho?.banchi).toBe('栄町1丁目1番地1号');
    expect(renderBankBBody(edge('building-room')).jusho?.banchi).toBe('西新宿二丁目8番1号 新宿パークタワー3205号室');
    expect(renderBankBBody(edge('postal-code-bank-a-only')).jusho).not.toHaveProperty('yubinBango');
    expect(renderBankBBody(edge('variant-kanji-one-bank')).shimei?.sei).toBe('高橋');
    expect(renderBankBBody(edge('small-ke-city')).jusho?.shikuchoson).toBe('茅ケ崎市');
    expect(renderBankBBody(edge('foreign-latin'))).toMatchObject({ shimei: { sei: 'SMITH', mei: 'JOHN' }, shimeiKana: 'ｽﾐｽ ｼﾞｮﾝ', honninKakunin: { kubun: '03' } });
    expect(renderBankBBody(edge('missing-kana'))).not.toHaveProperty('shimeiKana');
    expect(renderBankBBody(edge('document-passport')).honninKakunin?.kubun).toBe('04');
    expect(renderBankBBody(edge('document-my-number-card')).honninKakunin?.kubun).toBe('02');
    expect(renderBankBBody(edge('document-other')).honninKakunin?.kubun).toBe('09');
  });

  it('renders every customer with a valid shape', () => {
    for (const customer of customers) {
      const body = renderBankBBody(customer);
      expect(body.seinengappi).toMatch(/^[MTSHR]\d{2}\.\d{2}\.\d{2}$/);
      if (body.jusho?.yubinBango !== undefined) expect(body.jusho.yubinBango).toMatch(/^\d{7}$/);
      if (body.shimeiKana !== undefined) expect(body.shimeiKana).toMatch(/^[ｦ-ﾟ]+ [ｦ-ﾟ]+$/);
    }
  });
});

describe(bankBFullResponse.name, () => {
  it('answers E210 for an unverified customer', () => {
    expect(bankBFullResponse(edge('kyc-not-verified'))).toMatchObject({ header: { resultCode: 'E210' } });
    expect(bankBFullResponse(edge('kyc-not-verified'))).not.toHaveProperty('body');
  });
});

describe(filterBankBBody.name, () => {
  it('keeps requested fields covered by the consent, names per part', () => {
    const body = renderBankBBody(edge('era-heisei-1'));

    const sut = filterBankBBody(body, ['NAME', 'KANA', 'DOB', 'KYC'], ['family_name', 'birthdate', 'address']);

    expect(sut).toEqual({ shimei: { sei: '鈴木' }, seinengappi: 'H01.01.08', honninKakunin: body.honninKakunin });
  });
});

describe(malformBankBBody.name, () => {
  it('breaks the era date', () => {
    expect(malformBankBBody(renderBankBBody(edge('era-heisei-1'))).seinengappi).toBe('S99.13.45');
  });
});
