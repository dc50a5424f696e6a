import { describe, expect, it } from 'vitest';
import { ProblemError } from '@kyc/platform';
import type { BankApiCall } from '../bank-adapter.js';
import { KaedeBankAdapter } from './kaede-bank.adapter.js';

const record = {
  customerNumber: '0012345',
  nameKanji: '山田　太郎',
  nameKana: 'ヤマダ　タロウ',
  birthDate: '1980-04-15',
  address: '〒１００－０００１ 東京都千代田区千代田１－１',
  kycStatus: 'VERIFIED',
  kycVerifiedAt: '2016-04-12T10:31:00+09:00',
  kycMethod: 'FACE_TO_FACE',
  idDocument: { type: 'DRIVERS_LICENSE', expiry: '2026-07-15' },
};

const answering = (status: number, body: unknown, headers: Record<string, string> = {}): BankApiCall & { calls: string[] } => {
  const calls: string[] = [];
  const fn = (async (method: string, path: string) => {
    calls.push(`${method} ${path}`);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  }) as BankApiCall & { calls: string[] };
  fn.calls = calls;
  return fn;
};

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${String(err)}`);
  return err;
}

describe(KaedeBankAdapter.name, () => {
  const sut = new KaedeBankAdapter();

  it('reads GET /api/kyc/v1/customer into the common schema and IDA verification', async () => {
    const call = answering(200, record);
    const identity = await sut.fetchIdentity({ claims: ['family_name', 'address'], call });
    expect(call.calls).toEqual(['GET /api/kyc/v1/customer']);
    expect(identity.claims).toMatchObject({
      family_name: '山田',
      given_name: '太郎',
      'family_name#ja-Kana-JP': 'ヤマダ',
      birthdate: '1980-04-15',
      address: { postal_code: '100-0001', region: '東京都', locality: '千代田区', street_address: '千代田1-1', country: 'JP', formatted: '〒100-0001 東京都千代田区千代田1-1' },
    });
    expect(identity.verification).toEqual({
      trust_framework: 'jp_aml',
      time: '2016-04-12T01:31:00.000Z',
      evidence: [{ type: 'document', check_details: [{ check_method: 'vpip' }], document_details: { type: 'jp_drivers_license', date_of_expiry: '2026-07-15' } }],
    });
  });

  it.each([
    [403, { errorCode: 'KYC_NOT_VERIFIED', message: 'x' }, {}, 'IDENTITY_NOT_VERIFIED'],
    [401, { errorCode: 'INVALID_TOKEN', message: 'x' }, {}, 'CONSENT_EXPIRED'],
    [429, { errorCode: 'RATE_LIMITED', message: 'x' }, { 'retry-after': '2' }, 'BANK_BUSY'],
    [503, { errorCode: 'MAINTENANCE', message: 'x' }, { 'retry-after': '30' }, 'BANK_UNAVAILABLE'],
    [500, { errorCode: 'INTERNAL_ERROR', message: 'x' }, {}, 'BANK_ERROR'],
    [502, '<html>bad gateway</html>', {}, 'BANK_ERROR'],
  ] as [number, unknown, Record<string, string>, string][])('maps HTTP %i to %s', async (status, body, headers, code) => {
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate'], call: answering(status, body, headers) }));
    expect(problem.code).toBe(code);
    const retryAfter = headers['retry-after'];
    expect(problem.retryAfterSeconds).toBe(retryAfter === undefined ? undefined : Number(retryAfter));
  });

  it("says only the status of a bank failure, never the bank's own code or message", async () => {
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate'], call: answering(500, { errorCode: 'DB_SHARD_7_TIMEOUT', message: 'select * from customers failed' }) }));
    expect(problem.code).toBe('BANK_ERROR');
    expect(problem.detail).toContain('HTTP 500');
    expect(problem.detail).not.toMatch(/DB_SHARD|select/);
  });

  it('refuses release when the record is not verified, even with HTTP 200', async () => {
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate'], call: answering(200, { ...record, kycStatus: 'PENDING' }) }));
    expect(problem.code).toBe('IDENTITY_NOT_VERIFIED');
  });

  it.each([
    ['not JSON', '{"customerNumber":'],
    ['a wrong shape', { customerNumber: 12345 }],
    ['an impossible birth date', { ...record, birthDate: '1980-13-45' }],
    ['an address without prefecture', { ...record, address: 'どこか１－１' }],
    ['an unknown document code', { ...record, idDocument: { type: 'LIBRARY_CARD' } }],
  ])('answers BANK_PAYLOAD_INVALID for %s, never a partial identity', async (_what, body) => {
    const problem = await problemOf(sut.fetchIdentity({ claims: ['birthdate'], call: answering(200, body) }));
    expect(problem.code).toBe('BANK_PAYLOAD_INVALID');
    expect(problem.detail).not.toMatch(/1980|どこか|LIBRARY/);
  });
});
