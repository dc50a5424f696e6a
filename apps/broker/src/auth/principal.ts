import type { Request } from 'express';

export type Role = 'enterprise' | 'auditor' | 'operator';

/** Who is calling: resolved from the API key by the guard. */
export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  /** Set for enterprise keys only. */
  readonly enterpriseId: string | undefined;
}

export type AuthenticatedRequest = Request & { principal?: Principal };
