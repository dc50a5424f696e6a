/** The stable problem codes of SPEC §3, with their HTTP status. */
export const PROBLEM_STATUS = {
  VALIDATION_FAILED: 400,
  REDIRECT_URI_NOT_REGISTERED: 400,
  INVALID_CALLBACK: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONTRACT_NOT_FOUND: 403,
  CLAIMS_NOT_PERMITTED: 403,
  PURPOSE_NOT_PERMITTED: 403,
  ENTERPRISE_SUSPENDED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_CONFLICT: 409,
  CONTRACT_CONFLICT: 409,
  CONSENT_REQUIRED: 409,
  CONSENT_EXPIRED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDENTITY_NOT_VERIFIED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  BANK_PAYLOAD_INVALID: 502,
  BANK_ERROR: 502,
  BANK_CLOSED: 503,
  BANK_BUSY: 503,
  BANK_UNAVAILABLE: 503,
  DEPENDENCY_UNAVAILABLE: 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

const TITLES: Record<ProblemCode, string> = {
  VALIDATION_FAILED: 'Request validation failed',
  REDIRECT_URI_NOT_REGISTERED: 'Redirect URI not registered',
  INVALID_CALLBACK: 'Invalid authorization callback',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Forbidden',
  CONTRACT_NOT_FOUND: 'No active contract',
  CLAIMS_NOT_PERMITTED: 'Claims not permitted by the contract',
  PURPOSE_NOT_PERMITTED: 'Purpose not permitted by the contract',
  ENTERPRISE_SUSPENDED: 'Enterprise suspended',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  IDEMPOTENCY_CONFLICT: 'Idempotency key reused with another request',
  CONTRACT_CONFLICT: 'Contract conflict',
  CONSENT_REQUIRED: 'Consent required',
  CONSENT_EXPIRED: 'Consent expired',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  IDENTITY_NOT_VERIFIED: 'Identity not verified by the bank',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  BANK_PAYLOAD_INVALID: 'Bank payload could not be normalized',
  BANK_ERROR: 'The bank reported an error',
  BANK_CLOSED: 'Bank closed',
  BANK_BUSY: 'Bank busy',
  BANK_UNAVAILABLE: 'Bank unavailable',
  DEPENDENCY_UNAVAILABLE: 'Service dependency unavailable',
};

export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

export interface ProblemOptions {
  readonly errors?: readonly ProblemFieldError[];
  readonly retryAfterSeconds?: number;
  /** Extra response headers (e.g. RateLimit-*). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Internal detail for the log only; never sent to the client. */
  readonly cause?: unknown;
}

/** A domain error that becomes an RFC 9457 problem. `detail` is public; `cause` stays in the log. */
export class ProblemError extends Error {
  readonly status: number;
  readonly errors: readonly ProblemFieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    options: ProblemOptions = {},
  ) {
    super(`${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.status = PROBLEM_STATUS[code];
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }

  get title(): string {
    return TITLES[this.code];
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ProblemCode;
  request_id: string;
  errors?: ProblemFieldError[];
}

export function problemBody(problem: ProblemError, instance: string, requestId: string): ProblemBody {
  return {
    type: `https://kyc-broker.example/problems/${problem.code.toLowerCase().replaceAll('_', '-')}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    code: problem.code,
    request_id: requestId,
    ...(problem.errors && problem.errors.length > 0 ? { errors: [...problem.errors] } : {}),
  };
}
