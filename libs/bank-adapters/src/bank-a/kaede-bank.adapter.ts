import { z } from 'zod';
import { ProblemError } from '@kyc/platform';
import type { BankAdapter, BankIdentity, IdentityRequest } from '../bank-adapter.js';
import { normalizeOrFail, readJson, retryAfterOf } from '../shared/bank-response.js';
import { normalizeBankARecord } from './kaede-record.js';

const BANK = 'Kaede Bank';

const recordSchema = z.object({
  customerNumber: z.string(),
  nameKanji: z.string().optional(),
  nameKana: z.string().optional(),
  birthDate: z.string().optional(),
  address: z.string().optional(),
  kycStatus: z.string(),
  kycVerifiedAt: z.string().optional(),
  kycMethod: z.string().optional(),
  idDocument: z.object({ type: z.string(), expiry: z.string().optional() }).optional(),
});

const errorSchema = z.object({ errorCode: z.string(), message: z.string().optional() });

/** Kaede Bank (bank A): `GET /api/kyc/v1/customer`, one-string names and address, HTTP-status errors. */
export class KaedeBankAdapter implements BankAdapter {
  readonly kind = 'kaede-v1';
  readonly scope = 'openid kyc:read';

  async fetchIdentity({ call }: IdentityRequest): Promise<BankIdentity> {
    const response = await call('GET', '/api/kyc/v1/customer');
    if (!response.ok) throw await this.problemFor(response);
    const record = await readJson(response, recordSchema, BANK);
    if (record.kycStatus !== 'VERIFIED') {
      throw new ProblemError('IDENTITY_NOT_VERIFIED', `${BANK} holds no verified KYC for this customer.`);
    }
    return normalizeOrFail(BANK, () => normalizeBankARecord(record));
  }

  private async problemFor(response: Response): Promise<ProblemError> {
    const body = errorSchema.safeParse(await response.json().catch(() => undefined));
    const code = body.success ? body.data.errorCode : undefined;
    const retryAfterSeconds = retryAfterOf(response.headers.get('retry-after'));
    const retry = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
    if (code === 'KYC_NOT_VERIFIED') {
      return new ProblemError('IDENTITY_NOT_VERIFIED', `${BANK} holds no verified KYC for this customer.`);
    }
    switch (response.status) {
      case 401:
        return new ProblemError('CONSENT_EXPIRED', `${BANK} no longer accepts this consent; start a new verification.`);
      case 429:
        return new ProblemError('BANK_BUSY', `${BANK} is rate limiting; retry later.`, retry);
      case 503:
        return new ProblemError('BANK_UNAVAILABLE', `${BANK} is in maintenance.`, retry);
      default:
        // The status only: the bank's own error codes and messages are its internals, not the client's.
        return new ProblemError('BANK_ERROR', `${BANK} reported an error (HTTP ${response.status}).`);
    }
  }
}
