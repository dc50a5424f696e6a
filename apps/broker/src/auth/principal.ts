import type { Request } from 'express';

export type Role = 'enterprise' | 'auditor' | 'operator';

/** Who is calling: resolved from the API key by the guard. */
export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  /** Set for enterprise keys only. */
  readonly enterpriseId: string | undefined;
  /** The key's enterprise is suspended: the key authenticates, but may do nothing (AuthGuard). */
  readonly suspended?: true;
}

export type AuthenticatedRequest = Request & { principal?: Principal };
