import { z } from 'zod';
import type { ClaimName } from '@kyc/common-schema';
import { ProblemError } from '@kyc/platform';
import type { BankAdapter, BankIdentity, IdentityRequest } from '../bank-adapter.js';
import { normalizeOrFail, payloadInvalid, readJson, retryAfterOf } from '../shared/bank-response.js';
import { normalizeBankBBody } from './tsubame-body.js';

const BANK = 'Tsubame Bank';

/** Which inquiry field carries which claim. `KYC` is always asked: without it nothing is released. */
const FIELD_OF: Record<ClaimName, 'NAME' | 'KANA' | 'DOB' | 'ADDR'> = {
  family_name: 'NAME',
  given_name: 'NAME',
  'family_name#ja-Kana-JP': 'KANA',
  'given_name#ja-Kana-JP': 'KANA',
  birthdate: 'DOB',
  address: 'ADDR',
};

const responseSchema = z.object({
  header: z.object({
    resultCode: z.string(),
    inquiryId: z.string().optional(),
    retryAfter: z.union([z.number(), z.string()]).optional(),
  }),
  body: z
    .object({
      shimei: z.object({ sei: z.string().optional(), mei: z.string().optional() }).optional(),
      shimeiKana: z.string().optional(),
      seinengappi: z.string().optional(),
      jusho: z
        .object({
          yubinBango: z.string().optional(),
          todofuken: z.string().optional(),
          shikuchoson: z.string().optional(),
          banchi: z.string().optional(),
        })
        .optional(),
      honninKakunin: z.object({ kubun: z.string().optional(), kakuninBi: z.string().optional() }).optional(),
    })
    .optional(),
});

type Header = z.infer<typeof responseSchema>['header'];

/**
 * Tsubame Bank (bank B): `POST /openapi/v2/identity/inquiry`, era dates, half-width kana in one
 * string, split address, `kubun` codes, and business errors as HTTP 200 with `header.resultCode`.
 */
export class TsubameBankAdapter implements BankAdapter {
  readonly kind = 'tsubame-v2';
  readonly scope = 'openid identity';

  async fetchIdentity({ claims, call }: IdentityRequest): Promise<BankIdentity> {
    const fields = [...new Set(claims.map((c) => FIELD_OF[c])), 'KYC'];
    const response = await call('POST', '/openapi/v2/identity/inquiry', { fields });
    if (response.status === 401) {
      throw new ProblemError('CONSENT_EXPIRED', `${BANK} no longer accepts this consent; start a new verification.`);
    }
    if (!response.ok) throw new ProblemError('BANK_ERROR', `${BANK} reported an error (HTTP ${response.status}).`);
    const { header, body } = await readJson(response, responseSchema, BANK);
    if (header.resultCode !== '0000') throw problemFor(header);
    if (body === undefined) throw payloadInvalid(BANK);
    return normalizeOrFail(BANK, () => normalizeBankBBody(body));
  }
}

function problemFor(header: Header): ProblemError {
  const retryAfterSeconds = retryAfterOf(header.retryAfter);
  const retry = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  switch (header.resultCode) {
    case 'E210':
      return new ProblemError('IDENTITY_NOT_VERIFIED', `${BANK} holds no verified KYC for this customer.`);
    case 'E102':
      return new ProblemError('BANK_ERROR', `${BANK} does not know this customer (E102).`);
    case 'E429':
      return new ProblemError('BANK_BUSY', `${BANK} is rate limiting; retry later.`, retry);
    case 'E503':
      return new ProblemError('BANK_UNAVAILABLE', `${BANK} is in maintenance.`, retry);
    case 'E401':
      return new ProblemError('CONSENT_EXPIRED', `${BANK} no longer accepts this consent; start a new verification.`);
    default:
      return new ProblemError('BANK_ERROR', `${BANK} reported an error (${header.resultCode.replace(/[^A-Z0-9]/g, '').slice(0, 8)}).`);
  }
}
