import type { CanonicalClaims, ClaimName, IdaVerification } from '@kyc/common-schema';

/** A DPoP-bound call to the bank's own API, already authenticated with the customer's token. */
export type BankApiCall = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<Response>;

export interface IdentityRequest {
  /** The claims the customer consented to for this verification (the broker releases fewer if the contract says so). */
  readonly claims: readonly ClaimName[];
  readonly call: BankApiCall;
}

/** What a bank holds for the customer, already normalized into the common schema (SPEC §5). */
export interface BankIdentity {
  readonly claims: CanonicalClaims;
  readonly verification: IdaVerification;
}

/**
 * One per bank: speaks that bank's KYC API and turns its payload into the common schema, or throws a
 * ProblemError (BANK_PAYLOAD_INVALID, IDENTITY_NOT_VERIFIED, BANK_ERROR, BANK_BUSY, BANK_UNAVAILABLE,
 * CONSENT_EXPIRED). It never returns a half-normalized identity. Adding a bank = a folder with one of
 * these (listed in installed.ts) + a row in the banks table (see docs/adding-a-bank.md).
 */
export interface BankAdapter {
  /** The `adapter` value of the bank's row. */
  readonly kind: string;
  /** The scope the broker asks this bank for. */
  readonly scope: string;
  fetchIdentity(request: IdentityRequest): Promise<BankIdentity>;
}

