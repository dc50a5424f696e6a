import type { IdaVerification } from '@kyc/common-schema';
import { NormalizationError, type NormalizedIdentity } from '@kyc/identity-normalize';
import { ProblemError } from '@kyc/platform';
import type { z } from 'zod';
import type { BankIdentity } from '../bank-adapter.js';

/** Seconds from a Retry-After header or field, when it is a sane number. */
export function retryAfterOf(value: string | number | null | undefined): number | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 3600 ? Math.ceil(n) : undefined;
}

export function payloadInvalid(bankName: string, cause?: unknown): ProblemError {
  return new ProblemError('BANK_PAYLOAD_INVALID', `${bankName} answered data that cannot be normalized.`, { cause });
}

/** Reads a JSON body and checks its shape; anything else is BANK_PAYLOAD_INVALID. */
export async function readJson<T>(response: Response, schema: z.ZodType<T>, bankName: string): Promise<T> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (err) {
    throw payloadInvalid(bankName, err);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw payloadInvalid(bankName, parsed.error);
  return parsed.data;
}

/** Runs a normalizer; a NormalizationError means the bank's data is unusable, never half-passed on. */
export function normalizeOrFail(bankName: string, normalize: () => NormalizedIdentity): BankIdentity {
  let identity: NormalizedIdentity;
  try {
    identity = normalize();
  } catch (err) {
    if (err instanceof NormalizationError) throw payloadInvalid(bankName, err);
    throw err;
  }
  return { claims: identity.claims, verification: toIda(identity) };
}

function toIda({ verification: v }: NormalizedIdentity): IdaVerification {
  const evidence = {
    type: 'document' as const,
    ...(v.check_method ? { check_details: [{ check_method: v.check_method }] } : {}),
    ...(v.document ? { document_details: { ...v.document } } : {}),
  };
  return {
    trust_framework: 'jp_aml',
    time: v.time,
    ...(v.check_method || v.document ? { evidence: [evidence] } : {}),
  };
}
