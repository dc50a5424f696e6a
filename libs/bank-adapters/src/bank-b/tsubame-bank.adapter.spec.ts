import { describe, expect, it } from 'vitest';
import { ProblemError } from '@kyc/platform';
import type { BankApiCall } from '../bank-adapter.js';
import { TsubameBankAdapter } from './tsubame-bank.adapter.js';

const ok = {
  header: { resultCode: '0000', inquiryId: 'INQ-1' },
  body: {
    shimei: { sei: '山田', mei: '太郎' },
    shimeiKana: 'ﾔﾏﾀﾞ ﾀﾛｳ',
    seinengappi: 'S55.04.15',
    jusho: { yubinBango: '1000001', todofuken: '東京都', shikuchoson: '千代田区', banchi: '千代田一丁目1番' },
    honninKakunin: { kubun: '01', kakuninBi: 'H28.04.12' },
  },
};

function answering(status: number, body: unknown): BankApiCall & { bodies: unknown[] } {
  const bodies: unknown[] = [];
  const fn = (async (_method: string, _path: string, requestBody?: unknown) => {
    bodies.push(requestBody);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as BankApiCall & { bodies: unknown[] };
  fn.bodies = bodies;
  return fn;
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${String(err)}`);
  return err;
}

describe(TsubameBankAdapter.name, () => {
  const sut = new TsubameBankAdapter();

  it('asks only for the fields the claims need, plus KYC, and normalizes the answer', async () => {
    const call = answering(200, ok);
    const identity = await sut.fetchIdentity({ claims: ['family_name', 'given_name', 'birthdate'], call });
    expect(call.bodies).toEqual([{ fields: ['NAME', 'DOB', 'KYC'] }]);
    expect(identity.claims).toMatchObject({
      family_name: '山田',
      given_name: '太郎',
      'family_name#ja-Kana-JP': 'ヤマダ',
      'given_name#ja-Kana-JP': 'タロウ',
      birthdate: '1980-04-15',
      address: { postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1', formatted: '〒100-0001 東京都千代田区千代田1-1' },
    });
    expect(identity.verification).toMatchObject({
      trust_framework: 'jp_aml',
      time: '2016-04-11T15:00:00.000Z',
      evidence: [{ type: 'document', document_details: { type: 'jp_drivers_license' } }],
    });
  });

  it.each([
    ['E210', 'IDENTITY_NOT_VERIFIED', undefined],
    ['E102', 'BANK_ERROR', undefined],
    ['E429', 'BANK_BUSY', 3],
    ['E503', 'BANK_UNAVAILABLE', 60],
    ['E500', 'BANK_ERROR', undefined],
  ] as const)('maps result code %s (HTTP 200) to %s', async (resultCode, code, retryAfter) => {
    const header = { resultCode, inquiryId: 'INQ-2', ...(retryAfter === undefined ? {} : { retryAfter }) };
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate'], call: answering(200, { header }) }));
    expect(problem.code).toBe(code);
    expect(problem.retryAfterSeconds).toBe(retryAfter);
  });

  it('maps a rejected token (HTTP 401) to CONSENT_EXPIRED', async () => {
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate'], call: answering(401, { header: { resultCode: 'E401' } }) }));
    expect(problem.code).toBe('CONSENT_EXPIRED');
  });

  it.each([
    ['a success without body', { header: { resultCode: '0000' } }],
    ['an era date after the era ended', { ...ok, body: { ...ok.body, seinengappi: 'H31.05.01' } }],
    ['an unknown kubun', { ...ok, body: { ...ok.body, honninKakunin: { kubun: '77', kakuninBi: 'H28.04.12' } } }],
    ['an unknown prefecture', { ...ok, body: { ...ok.body, jusho: { ...ok.body.jusho, todofuken: '東京' } } }],
  ])('answers BANK_PAYLOAD_INVALID for %s', async (_what, body) => {
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate', 'address'], call: answering(200, body) }));
    expect(problem.code).toBe('BANK_PAYLOAD_INVALID');
  });
});
