import { beforeEach, describe, expect, it } from 'vitest';
import type { BankIdentity } from '@kyc/bank-adapters';
import type { ClaimName } from '@kyc/common-schema';
import { commitment } from '@kyc/ledger';
import { ProblemError, type Verification } from '@kyc/platform';
import type { BankClientService } from '../banks/index.js';
import type { ContractPolicy } from '../contracts/index.js';
import { BankCallRefused } from '../flow/index.js';
import type { LedgerService } from '../ledger/index.js';
import type { VerificationSecrets, VerificationsService } from '../verifications/index.js';
import {
  CONTRACT_ID,
  ENTERPRISE_ID,
  VERIFICATION_ID,
  containing,
  makeAuthorizedVerification,
  makeBank,
  makeContract,
  makeEnterprise,
  newBankClientMock,
  newContractPolicyMock,
  newLedgerMock,
  newVerificationSecretsMock,
  newVerificationsMock,
  problemOf,
  type LedgerMock,
} from '../../test/unit/factories.js';
import { IdentityService, type FullIdentity, type MatchOnlyIdentity } from './identity.service.js';

const REQUEST_ID = 'req-identity-1';

function makeIdentity(overrides: Partial<BankIdentity> = {}): BankIdentity {
  return {
    claims: { family_name: '山田', given_name: '太郎', birthdate: '1990-01-02', address: { region: '東京都', locality: '千代田区' } },
    verification: { trust_framework: 'jp_aml', verification_process: 'proc-0001', time: '2024-04-01T00:00:00Z' },
    ...overrides,
  };
}

const isFull = (identity: FullIdentity | MatchOnlyIdentity): identity is FullIdentity => 'disclosures' in identity;

function full(identity: FullIdentity | MatchOnlyIdentity): FullIdentity {
  if (!isFull(identity)) throw new Error('expected a full identity');
  return identity;
}

function matchOnly(identity: FullIdentity | MatchOnlyIdentity): MatchOnlyIdentity {
  if (isFull(identity)) throw new Error('expected a match-only identity');
  return identity;
}

describe(IdentityService.name, () => {
  let sut: IdentityService;
  let verifications: ReturnType<typeof newVerificationsMock>;
  let policy: ReturnType<typeof newContractPolicyMock>;
  let banks: ReturnType<typeof newBankClientMock>;
  let ledger: LedgerMock;
  let secrets: ReturnType<typeof newVerificationSecretsMock>;
  const bank = makeBank();

  /** The consent covered family_name, given_name and birthdate; the contract now allows family_name, birthdate, address. */
  const given = (row: Verification, contractClaims: string[] = ['family_name', 'birthdate', 'address']): void => {
    verifications.get.mockResolvedValue(row);
    policy.bound.mockResolvedValue({ enterprise: makeEnterprise(), bank, contract: makeContract({ claims: contractClaims, mode: row.mode }) });
  };

  beforeEach(() => {
    verifications = newVerificationsMock();
    policy = newContractPolicyMock();
    banks = newBankClientMock();
    ledger = newLedgerMock();
    secrets = newVerificationSecretsMock();
    sut = new IdentityService(
      verifications as unknown as VerificationsService,
      policy as unknown as ContractPolicy,
      banks as unknown as BankClientService,
      ledger as unknown as LedgerService,
      secrets as unknown as VerificationSecrets,
    );
    banks.fetchIdentity.mockResolvedValue(makeIdentity());
    given(makeAuthorizedVerification({ claims: ['family_name', 'given_name', 'birthdate'] }));
  });

  describe('release', () => {
    it('re-checks the verification’s own contract for its purpose, and counts its rate limit', async () => {
      await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID);

      expect(verifications.get).toHaveBeenCalledWith(ENTERPRISE_ID, VERIFICATION_ID);
      expect(policy.bound).toHaveBeenCalledWith(ENTERPRISE_ID, CONTRACT_ID, 'account_opening');
      expect(policy.limit).toHaveBeenCalledWith(expect.objectContaining({ claims: ['family_name', 'birthdate', 'address'] }));
    });

    it('asks the bank for, and releases, only the claims both consented and still in the contract', async () => {
      const identity = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(banks.fetchIdentity).toHaveBeenCalledExactlyOnceWith(bank, 'bank-access-token', ['family_name', 'birthdate']);
      // The bank answered given_name and address too; neither is in contract ∩ consent.
      expect(identity.verified_claims.claims).toEqual({ family_name: '山田', birthdate: '1990-01-02' });
      expect(Object.keys(identity.disclosures).sort()).toEqual(['birthdate', 'family_name']);
    });

    it('opens the tokens of the verification it releases', async () => {
      const row = makeAuthorizedVerification({ tokensSealed: 'v1.sealed.other' });
      given(row);
      secrets.openTokens.mockReturnValue({ access_token: 'token-of-this-row', refresh_token: 'r' });

      await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID);

      expect(secrets.openTokens).toHaveBeenCalledWith(row);
      expect(banks.fetchIdentity).toHaveBeenCalledWith(bank, 'token-of-this-row', expect.any(Array));
    });

    it('leaves out claims the bank answered empty', async () => {
      banks.fetchIdentity.mockResolvedValue(makeIdentity({ claims: { family_name: '', birthdate: '1990-01-02' } }));

      const identity = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(identity.verified_claims.claims).toEqual({ birthdate: '1990-01-02' });
      expect(identity.disclosures).not.toHaveProperty('family_name');
      expect(ledger.entries[0]?.claims).toEqual(['birthdate']);
      expect(Object.keys(ledger.entries[0]?.commitments ?? {})).toEqual(['birthdate']);
    });

    describe('in full mode', () => {
      it('answers the verified claims with one fresh salt per claim, base64url', async () => {
        const identity = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

        const salts = Object.values(identity.disclosures);
        expect(salts).toHaveLength(2);
        expect(new Set(salts).size).toBe(2);
        for (const salt of salts) expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(identity).toMatchObject({
          verification_id: VERIFICATION_ID,
          bank_id: 'bank-a',
          subject: 'pairwise-subject-1',
          verified_claims: { verification: makeIdentity().verification },
        });
        expect(identity).not.toHaveProperty('match');
      });

      it('gives new salts on every release', async () => {
        const first = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));
        const second = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

        expect(second.disclosures.family_name).not.toBe(first.disclosures.family_name);
      });

      it('appends identity.released with the claim names and commitments that recompute from the disclosures', async () => {
        const identity = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

        expect(ledger.append).toHaveBeenCalledOnce();
        const entry = ledger.entries[0];
        expect(entry).toMatchObject({
          type: 'identity.released',
          outcome: 'ok',
          enterprise_id: ENTERPRISE_ID,
          bank_id: 'bank-a',
          verification_id: VERIFICATION_ID,
          purpose: 'account_opening',
          request_id: REQUEST_ID,
          subject_ref: 'a'.repeat(64),
          verification_process: 'proc-0001',
          claims: ['family_name', 'birthdate'],
        });
        expect(Number.isNaN(Date.parse(entry?.occurred_at ?? ''))).toBe(false);
        const claims = identity.verified_claims.claims;
        const names = Object.keys(claims) as ClaimName[];
        expect(Object.keys(entry?.commitments ?? {}).sort()).toEqual([...names].sort());
        for (const name of names) {
          expect(entry?.commitments?.[name]).toBe(commitment(identity.disclosures[name] ?? '', name, claims[name]));
        }
        // Values never reach the ledger, only their commitments.
        expect(JSON.stringify(entry)).not.toContain('山田');
      });

      it('answers the ledger entry it appended', async () => {
        const identity = await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID);

        expect(identity.ledger_entry).toEqual({ seq: 42, leaf_hash: (42).toString(16).padStart(64, '0') });
      });

      it('adds the match report when the enterprise sent applicant data', async () => {
        secrets.openApplicant.mockReturnValue({ family_name: '山田', birthdate: '1991-01-02' });

        const identity = full(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

        expect(identity.match?.family_name?.result).toBe('match');
        expect(identity.match?.birthdate?.result).not.toBe('match');
        expect(Object.keys(identity.match ?? {}).sort()).toEqual(['birthdate', 'family_name']);
      });

      it('leaves verification_process out of the entry when the bank did not name one', async () => {
        banks.fetchIdentity.mockResolvedValue(makeIdentity({ verification: { trust_framework: 'jp_aml' } }));

        await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID);

        expect(ledger.entries[0]).not.toHaveProperty('verification_process');
      });
    });

    describe('in match-only mode', () => {
      beforeEach(() => {
        given(makeAuthorizedVerification({ mode: 'match_only' }));
        secrets.openApplicant.mockReturnValue({ family_name: '山田', given_name: '花子', birthdate: '1990-01-02' });
      });

      it('answers the verification and the match report, never the claims', async () => {
        const identity = matchOnly(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

        expect(Object.keys(identity).sort()).toEqual(['bank_id', 'ledger_entry', 'match', 'subject', 'verification', 'verification_id']);
        expect(identity.verification).toEqual(makeIdentity().verification);
        // given_name was consented but the contract dropped it: it is not matched either.
        expect(identity.match).toEqual({
          family_name: containing({ result: 'match' }),
          birthdate: containing({ result: 'match' }),
        });
        expect(JSON.stringify(identity)).not.toContain('山田');
      });

      it('appends match.released with the released claim names and no commitments', async () => {
        const identity = await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID);

        expect(ledger.entries).toHaveLength(1);
        expect(ledger.entries[0]).toMatchObject({
          type: 'match.released',
          outcome: 'ok',
          verification_id: VERIFICATION_ID,
          request_id: REQUEST_ID,
          claims: ['family_name', 'birthdate'],
          verification_process: 'proc-0001',
        });
        expect(ledger.entries[0]).not.toHaveProperty('commitments');
        expect(identity.ledger_entry.seq).toBe(42);
      });

      it('answers an empty match report when no applicant data can be opened', async () => {
        secrets.openApplicant.mockReturnValue(undefined);

        const identity = matchOnly(await sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

        expect(identity.match).toEqual({});
      });
    });

    it('refuses with CLAIMS_NOT_PERMITTED, without calling the bank, when the contract allows none of the consented claims', async () => {
      given(makeAuthorizedVerification({ claims: ['given_name'] }), ['family_name', 'birthdate']);

      const problem = await problemOf(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(problem.code).toBe('CLAIMS_NOT_PERMITTED');
      expect(secrets.openTokens).not.toHaveBeenCalled();
      expect(banks.fetchIdentity).not.toHaveBeenCalled();
      expect(ledger.append).not.toHaveBeenCalled();
    });

    it.each(['pending', 'denied', 'failed', 'revoked'] as const)('refuses a %s verification with CONSENT_REQUIRED', async (status) => {
      given(makeAuthorizedVerification({ status }));

      const problem = await problemOf(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(problem.code).toBe('CONSENT_REQUIRED');
      expect(problem.detail).toContain(status);
      expect(policy.bound).not.toHaveBeenCalled();
      expect(banks.fetchIdentity).not.toHaveBeenCalled();
    });

    it('refuses an expired verification with CONSENT_EXPIRED', async () => {
      given(makeAuthorizedVerification({ status: 'expired', tokensSealed: null }));

      const problem = await problemOf(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(problem.code).toBe('CONSENT_EXPIRED');
      expect(policy.bound).not.toHaveBeenCalled();
    });

    it('refuses an authorized verification whose tokens were dropped with CONSENT_EXPIRED', async () => {
      given(makeAuthorizedVerification({ tokensSealed: null }));

      const problem = await problemOf(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(problem.code).toBe('CONSENT_EXPIRED');
      expect(banks.fetchIdentity).not.toHaveBeenCalled();
    });

    it('refuses with CONSENT_EXPIRED when the tokens cannot be opened', async () => {
      secrets.openTokens.mockReturnValue(undefined);

      const problem = await problemOf(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(problem.code).toBe('CONSENT_EXPIRED');
      expect(banks.fetchIdentity).not.toHaveBeenCalled();
    });

    it('passes the contract check’s refusal on without calling the bank', async () => {
      policy.bound.mockRejectedValue(new ProblemError('BANK_CLOSED', 'closed'));

      const problem = await problemOf(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID));

      expect(problem.code).toBe('BANK_CLOSED');
      expect(banks.fetchIdentity).not.toHaveBeenCalled();
      expect(ledger.append).not.toHaveBeenCalled();
    });

    it.each(['BANK_ERROR', 'BANK_UNAVAILABLE', 'IDENTITY_NOT_VERIFIED', 'BANK_PAYLOAD_INVALID'] as const)(
      'records a %s from the bank as release.failed and rethrows it',
      async (code) => {
        const failure = new ProblemError(code, 'the bank said no');
        banks.fetchIdentity.mockRejectedValue(failure);

        await expect(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID)).rejects.toBe(failure);

        expect(ledger.append).toHaveBeenCalledOnce();
        expect(ledger.entries[0]).toMatchObject({
          type: 'release.failed',
          outcome: 'failed',
          error_code: code,
          enterprise_id: ENTERPRISE_ID,
          bank_id: 'bank-a',
          verification_id: VERIFICATION_ID,
          purpose: 'account_opening',
          request_id: REQUEST_ID,
          subject_ref: 'a'.repeat(64),
        });
      },
    );

    it('records an unexpected error as release.failed with INTERNAL', async () => {
      const failure = new Error('adapter blew up');
      banks.fetchIdentity.mockRejectedValue(failure);

      await expect(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID)).rejects.toBe(failure);

      expect(ledger.entries).toEqual([expect.objectContaining({ type: 'release.failed', error_code: 'INTERNAL' })]);
    });

    it.each([
      ['a BankCallRefused (closed, shed, circuit open)', new BankCallRefused('BANK_BUSY', 'busy', { retryAfterSeconds: 1 })],
      ['a DEPENDENCY_UNAVAILABLE problem', new ProblemError('DEPENDENCY_UNAVAILABLE', 'redis down')],
      ['an error that maps to DEPENDENCY_UNAVAILABLE', new Error('Connection is closed.')],
    ])('does not record %s, and rethrows it', async (_label, failure) => {
      banks.fetchIdentity.mockRejectedValue(failure);

      await expect(sut.release(ENTERPRISE_ID, VERIFICATION_ID, REQUEST_ID)).rejects.toBe(failure);

      expect(ledger.append).not.toHaveBeenCalled();
      expect(ledger.recordChange).not.toHaveBeenCalled();
    });
  });
});
