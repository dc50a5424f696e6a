import type { IdaVerification } from '@kyc/common-schema';
import { NormalizationError, type NormalizedIdentity } from '@kyc/identity-normalize';
import { ProblemError } from '@kyc/platform';
import { ZodError, type z } from 'zod';
import type { BankIdentity } from '../bank-adapter.js';

/** Seconds from a Retry-After header or field, when it is a sane number. */
export function retryAfterOf(value: string | number | null | undefined): number | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 3600 ? Math.ceil(n) : undefined;
}

/**
 * What of a bad bank answer may reach the log: the shape's paths and codes, or the error's kind and
 * field, never its message or values (a JSON parse error quotes the body; values are personal data).
 */
export function loggableCause(cause: unknown): Error | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof ZodError) return new Error(`unexpected shape: ${cause.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.code}`).join(', ')}`);
  if (cause instanceof NormalizationError) return new Error(`cannot normalize ${cause.field}: ${cause.reason}`);
  if (cause instanceof SyntaxError) return new Error('the body is not JSON');
  return new Error(cause instanceof Error ? cause.name : 'invalid answer');
}

export function payloadInvalid(bankName: string, cause?: unknown): ProblemError {
  return new ProblemError('BANK_PAYLOAD_INVALID', `${bankName} answered data that cannot be normalized.`, { cause: loggableCause(cause) });
}

/** The most of one bank answer the broker reads; a larger one is refused unread. */
export const MAX_BANK_BODY_BYTES = 256 * 1024;

/**
 * The answer with its body read (at most `max` bytes) and held in memory: a larger body, declared
 * or streamed, is cancelled and refused as BANK_PAYLOAD_INVALID, never read to its end.
 */
export async function cappedResponse(response: Response, bankName: string, max = MAX_BANK_BODY_BYTES): Promise<Response> {
  const tooLarge = (): ProblemError => new ProblemError('BANK_PAYLOAD_INVALID', `${bankName} answered more data than the broker accepts.`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return response;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const noBody = response.status === 204 || response.status === 304;
  return new Response(noBody ? null : Buffer.concat(chunks), { status: response.status, statusText: response.statusText, headers: response.headers });
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
