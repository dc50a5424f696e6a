import { Injectable } from '@nestjs/common';
import type { BankIdentity } from '@kyc/bank-adapters';
import type { CanonicalClaims, ClaimMatch, ClaimName, IdaVerification } from '@kyc/common-schema';
import { matchClaims } from '@kyc/identity-normalize';
import { commitment, newSalt, type NewLedgerEntry } from '@kyc/ledger';
import { ProblemError, toProblem, type Bank, type Verification } from '@kyc/platform';
import { BankClientService } from '../banks/index.js';
import { ContractPolicy } from '../contracts/index.js';
import { BankCallRefused } from '../flow/index.js';
import { LedgerService } from '../ledger/index.js';
import { VerificationSecrets, VerificationsService } from '../verifications/index.js';

interface LedgerRef {
  seq: number;
  leaf_hash: string;
}

export interface FullIdentity {
  verification_id: string;
  bank_id: string;
  subject: string;
  verified_claims: { verification: IdaVerification; claims: CanonicalClaims };
  match?: Partial<Record<ClaimName, ClaimMatch>>;
  disclosures: Partial<Record<ClaimName, string>>;
  ledger_entry: LedgerRef;
}

export interface MatchOnlyIdentity {
  verification_id: string;
  bank_id: string;
  subject: string;
  verification: IdaVerification;
  match: Partial<Record<ClaimName, ClaimMatch>>;
  ledger_entry: LedgerRef;
}

/**
 * The release: contract re-checked, the bank called through flow control, the payload normalized
 * by the bank's adapter, only contract ∩ request ∩ consent released, and the ledger entry committed
 * before the answer leaves. A failure that reached the bank is recorded as `release.failed`.
 */
@Injectable()
export class IdentityService {
  constructor(
    private readonly verifications: VerificationsService,
    private readonly policy: ContractPolicy,
    private readonly banks: BankClientService,
    private readonly ledger: LedgerService,
    private readonly secrets: VerificationSecrets,
  ) {}

  async release(enterpriseId: string, id: string, requestId: string): Promise<FullIdentity | MatchOnlyIdentity> {
    const row = await this.verifications.get(enterpriseId, id);
    this.assertAuthorized(row);
    // Only the contract the consent was given under, as it is now: it may have narrowed since
    // consent (release the intersection, refuse only an empty one) or ended (refuse).
    const { contract, bank } = await this.policy.bound(enterpriseId, row.contractId, row.purpose);
    await this.policy.limit(contract);
    const released = (row.claims as ClaimName[]).filter((c) => contract.claims.includes(c));
    if (released.length === 0) {
      throw new ProblemError('CLAIMS_NOT_PERMITTED', 'The contract no longer permits any of the consented claims.');
    }
    const tokens = this.secrets.openTokens(row);
    if (tokens === undefined) throw new ProblemError('CONSENT_EXPIRED', 'Access to this verification has expired; start a new one.');
    let identity: BankIdentity;
    try {
      identity = await this.banks.fetchIdentity(bank, tokens.access_token, released);
    } catch (err) {
      await this.recordFailure(row, bank, requestId, err);
      throw err;
    }
    const claims = pick(identity.claims, released);
    const base = { verification_id: row.id, bank_id: bank.id, subject: row.subject ?? '' };
    const match = this.match(row, claims, released);
    // Checked again where the entry is written: a revocation, suspension or contract end during the
    // bank call means no release (and a release.failed entry saying why).
    const guard = { verificationId: row.id, contractId: contract.id, purpose: row.purpose, claims: released };
    const entry = (extra: Pick<NewLedgerEntry, 'type'> & Partial<NewLedgerEntry>): NewLedgerEntry => ({
      ...this.entryBase(row, requestId),
      outcome: 'ok',
      claims: released,
      ...(identity.verification.verification_process ? { verification_process: identity.verification.verification_process } : {}),
      ...extra,
    });
    if (contract.mode === 'match_only') {
      const appended = await this.ledger.append(entry({ type: 'match.released' }), guard);
      return { ...base, verification: identity.verification, match: match ?? {}, ledger_entry: ref(appended) };
    }
    const disclosures: Partial<Record<ClaimName, string>> = {};
    const commitments: Record<string, string> = {};
    for (const name of Object.keys(claims) as ClaimName[]) {
      const salt = newSalt();
      disclosures[name] = salt;
      commitments[name] = commitment(salt, name, claims[name]);
    }
    const appended = await this.ledger.append(entry({ type: 'identity.released', claims: Object.keys(claims), commitments }), guard);
    return {
      ...base,
      verified_claims: { verification: identity.verification, claims },
      ...(match ? { match } : {}),
      disclosures,
      ledger_entry: ref(appended),
    };
  }

  private assertAuthorized(row: Verification): void {
    if (row.status === 'expired' || (row.status === 'authorized' && row.tokensSealed === null)) {
      throw new ProblemError('CONSENT_EXPIRED', 'Access to this verification has expired; start a new one.');
    }
    if (row.status !== 'authorized') {
      throw new ProblemError('CONSENT_REQUIRED', `The customer has not authorized this verification (status ${row.status}).`);
    }
  }

  private match(row: Verification, claims: CanonicalClaims, released: ClaimName[]): Partial<Record<ClaimName, ClaimMatch>> | undefined {
    const applicant = this.secrets.openApplicant(row);
    if (applicant === undefined) return undefined;
    const requested = released.filter((c) => c in applicant);
    return matchClaims(claims, applicant, requested);
  }

  private entryBase(row: Verification, requestId: string): Omit<NewLedgerEntry, 'type' | 'outcome'> {
    return {
      occurred_at: new Date().toISOString(),
      enterprise_id: row.enterpriseId,
      bank_id: row.bankId,
      verification_id: row.id,
      purpose: row.purpose,
      request_id: requestId,
      ...(row.subjectRef ? { subject_ref: row.subjectRef } : {}),
    };
  }

  private async recordFailure(row: Verification, bank: Bank, requestId: string, err: unknown): Promise<void> {
    const problem = toProblem(err);
    // Refused before anything reached the bank: a metric, not a ledger entry.
    if (err instanceof BankCallRefused || problem.code === 'DEPENDENCY_UNAVAILABLE') return;
    await this.ledger.append({
      ...this.entryBase(row, requestId),
      bank_id: bank.id,
      type: 'release.failed',
      outcome: 'failed',
      error_code: problem.code,
    });
  }
}

function pick(claims: CanonicalClaims, names: readonly ClaimName[]): CanonicalClaims {
  const out: CanonicalClaims = {};
  for (const name of names) {
    const value = claims[name];
    if (value !== undefined && value !== '') Object.assign(out, { [name]: value });
  }
  return out;
}

const ref = (a: { seq: number; leafHash: string }): LedgerRef => ({ seq: a.seq, leaf_hash: a.leafHash });
