import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { CallbackFailure, type BankTokens } from '@kyc/bank-adapters';
import { ProblemError, type Verification } from '@kyc/platform';
import type { BankClientService } from '../banks/index.js';
import type { ContractPolicy } from '../contracts/index.js';
import { subjectRef, type LedgerService } from '../ledger/index.js';
import type { VerificationSecrets, VerificationsService } from '../verifications/index.js';
import {
  CONTRACT_ID,
  ENTERPRISE_ID,
  VERIFICATION_ID,
  anyDate,
  anyString,
  makeBank,
  makeBrokerConfig,
  makeContract,
  makeEnterprise,
  makeVerification,
  newBankClientMock,
  newContractPolicyMock,
  newLedgerMock,
  newVerificationSecretsMock,
  newVerificationsMock,
  problemOf,
  type LedgerMock,
} from '../../test/unit/factories.js';
import type { ConsentFlow, ConsentStateStore } from './consent-state.store.js';
import { ConsentService } from './consent.service.js';
import { pairwiseSubject } from './subject.js';

const REQUEST_ID = 'req-callback-1';
const STATE = 'oauth-state-0123456789';
const BROWSER = 'b'.repeat(64);

function newConsentStatesMock() {
  return {
    put: vi.fn<ConsentStateStore['put']>(async () => undefined),
    take: vi.fn<ConsentStateStore['take']>(async () => 'unknown'),
    pending: vi.fn<ConsentStateStore['pending']>(async () => undefined),
    rememberPushed: vi.fn<ConsentStateStore['rememberPushed']>(async () => undefined),
  };
}

function makeFlow(overrides: Partial<ConsentFlow> = {}): ConsentFlow {
  return { verificationId: VERIFICATION_ID, bankId: 'bank-a', nonce: 'nonce-1', codeVerifier: 'verifier-1', browser: BROWSER, ...overrides };
}

function makeTokens(overrides: Partial<BankTokens> = {}): BankTokens {
  return { accessToken: 'bank-at', refreshToken: 'bank-rt', expiresIn: 300, subject: 'bank-subject-42', ...overrides };
}

const callbackUrl = (query: string): URL => new URL(`https://broker.example/v1/oauth/callback${query}`);

describe(ConsentService.name, () => {
  let sut: ConsentService;
  let banks: ReturnType<typeof newBankClientMock>;
  let states: ReturnType<typeof newConsentStatesMock>;
  let secrets: ReturnType<typeof newVerificationSecretsMock>;
  let ledger: LedgerMock;
  let verifications: ReturnType<typeof newVerificationsMock>;
  let policy: ReturnType<typeof newContractPolicyMock>;
  let warn: MockInstance<Logger['warn']>;
  const config = makeBrokerConfig({ defaultAccessTtlSeconds: 900 });
  const bank = makeBank();

  beforeEach(() => {
    warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    banks = newBankClientMock();
    states = newConsentStatesMock();
    secrets = newVerificationSecretsMock();
    ledger = newLedgerMock();
    verifications = newVerificationsMock();
    policy = newContractPolicyMock();
    sut = new ConsentService(
      banks as unknown as BankClientService,
      states as unknown as ConsentStateStore,
      secrets as unknown as VerificationSecrets,
      ledger as unknown as LedgerService,
      verifications as unknown as VerificationsService,
      policy as unknown as ContractPolicy,
      config,
    );
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('callback', () => {
    let row: Verification;
    const url = callbackUrl(`?state=${STATE}&code=auth-code&iss=https%3A%2F%2Fbank-a.example`);

    beforeEach(() => {
      row = makeVerification({ redirectUri: 'https://acme.example/kyc/done?lang=ja', clientState: 'client-state-1' });
      states.take.mockResolvedValue(makeFlow());
      verifications.byId.mockResolvedValue(row);
      banks.bank.mockResolvedValue(bank);
      banks.completeAuthorization.mockResolvedValue(makeTokens());
      policy.find.mockResolvedValue(makeContract({ accessTtlSeconds: 1_200 }));
    });

    describe('refuses with INVALID_CALLBACK', () => {
      it.each([
        ['without a state', callbackUrl('?code=auth-code')],
        ['with an empty state', callbackUrl('?state=&code=auth-code')],
        ['with an overlong state', callbackUrl(`?state=${'s'.repeat(513)}&code=auth-code`)],
      ])('a callback %s, before looking it up', async (_label, bad) => {
        const problem = await problemOf(sut.callback(bad, REQUEST_ID, BROWSER));

        expect(problem.code).toBe('INVALID_CALLBACK');
        expect(states.take).not.toHaveBeenCalled();
      });

      it('a state started in another browser (no or another flow cookie), left for the right one', async () => {
        states.take.mockResolvedValue('other-browser');

        const problem = await problemOf(sut.callback(url, REQUEST_ID, undefined));

        expect(problem.code).toBe('INVALID_CALLBACK');
        expect(problem.detail).toContain('another browser');
        expect(states.take).toHaveBeenCalledWith(STATE, undefined);
        expect(banks.completeAuthorization).not.toHaveBeenCalled();
      });

      it('an unknown (or already used) state', async () => {
        states.take.mockResolvedValue('unknown');

        const problem = await problemOf(sut.callback(url, REQUEST_ID, BROWSER));

        expect(problem.code).toBe('INVALID_CALLBACK');
        expect(states.take).toHaveBeenCalledWith(STATE, BROWSER);
        expect(verifications.byId).not.toHaveBeenCalled();
      });

      it.each([
        ['the verification is gone', undefined],
        ['the verification is no longer pending', makeVerification({ status: 'denied' })],
        ['the verification expired meanwhile', makeVerification({ expiresAt: new Date(Date.now() - 1_000) })],
      ])('when %s, without exchanging the code', async (_label, current) => {
        verifications.byId.mockResolvedValue(current);

        const problem = await problemOf(sut.callback(url, REQUEST_ID, BROWSER));

        expect(problem.code).toBe('INVALID_CALLBACK');
        expect(banks.completeAuthorization).not.toHaveBeenCalled();
        expect(ledger.recordChange).not.toHaveBeenCalled();
      });

      it.each([
        ['approved', (): void => undefined],
        ['denied', (): void => void banks.completeAuthorization.mockRejectedValue(new CallbackFailure('access_denied', 'no'))],
      ])('when another callback changed the verification first (%s)', async (_label, arrange) => {
        arrange();
        ledger.tx.verification.updateMany.mockResolvedValue({ count: 0 });

        const problem = await problemOf(sut.callback(url, REQUEST_ID, BROWSER));

        expect(problem.code).toBe('INVALID_CALLBACK');
        expect(ledger.entries).toEqual([]);
        expect(verifications.committed).not.toHaveBeenCalled();
      });
    });

    it('accepts a state of exactly 512 characters', async () => {
      const long = 's'.repeat(512);

      await sut.callback(callbackUrl(`?state=${long}&code=auth-code`), REQUEST_ID, BROWSER);

      expect(states.take).toHaveBeenCalledWith(long, BROWSER);
    });

    it('loads the flow’s verification and bank, and exchanges the code with the flow’s secrets', async () => {
      await sut.callback(url, REQUEST_ID, BROWSER);

      expect(verifications.byId).toHaveBeenCalledWith(VERIFICATION_ID);
      expect(banks.bank).toHaveBeenCalledWith('bank-a');
      expect(banks.completeAuthorization).toHaveBeenCalledExactlyOnceWith(bank, url, {
        state: STATE,
        nonce: 'nonce-1',
        codeVerifier: 'verifier-1',
      });
    });

    describe('approved', () => {
      it('authorizes the still-pending verification with sealed tokens, subject and access expiry, in one ledger transaction', async () => {
        const before = Date.now();

        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(ledger.recordChange).toHaveBeenCalledOnce();
        expect(ledger.tx.verification.updateMany).toHaveBeenCalledOnce();
        const update = ledger.tx.verification.updateMany.mock.calls[0]?.[0];
        expect(update?.where).toEqual({ id: VERIFICATION_ID, status: 'pending' });
        expect(update?.data).toEqual({
          status: 'authorized',
          authorizedAt: anyDate,
          accessExpiresAt: anyDate,
          subject: pairwiseSubject(config.keys.subjectKey, ENTERPRISE_ID, 'bank-a', 'bank-subject-42'),
          subjectRef: subjectRef(config.keys.subjectKey, 'bank-a', 'bank-subject-42'),
          tokensSealed: `v1.sealed-tokens-for.${VERIFICATION_ID}`,
        });
        const authorizedAt = update?.data['authorizedAt'] as Date;
        const accessExpiresAt = update?.data['accessExpiresAt'] as Date;
        expect(authorizedAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(accessExpiresAt.getTime() - authorizedAt.getTime()).toBe(1_200_000);
      });

      it('takes the access lifetime from the verification’s contract, else the default', async () => {
        policy.find.mockResolvedValue(undefined);

        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(policy.find).toHaveBeenCalledWith(CONTRACT_ID);
        const data = ledger.tx.verification.updateMany.mock.calls[0]?.[0].data;
        expect((data?.['accessExpiresAt'] as Date).getTime() - (data?.['authorizedAt'] as Date).getTime()).toBe(900_000);
      });

      it('seals the bank tokens for this verification, the refresh token only when there is one', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);
        banks.completeAuthorization.mockResolvedValue(makeTokens({ refreshToken: undefined }));
        verifications.byId.mockResolvedValue(makeVerification());
        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(secrets.sealTokens.mock.calls).toStrictEqual([
          [VERIFICATION_ID, { access_token: 'bank-at', refresh_token: 'bank-rt' }],
          [VERIFICATION_ID, { access_token: 'bank-at' }],
        ]);
      });

      it('appends consent.granted with outcome ok and the subject_ref, in the same transaction', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(ledger.append).not.toHaveBeenCalled();
        expect(ledger.txAppend).toHaveBeenCalledOnce();
        expect(ledger.entries).toEqual([
          {
            type: 'consent.granted',
            occurred_at: anyString,
            enterprise_id: ENTERPRISE_ID,
            bank_id: 'bank-a',
            verification_id: VERIFICATION_ID,
            purpose: 'account_opening',
            outcome: 'ok',
            request_id: REQUEST_ID,
            subject_ref: subjectRef(config.keys.subjectKey, 'bank-a', 'bank-subject-42'),
          },
        ]);
        // The entry is appended only after the guarded update matched the pending row.
        expect(ledger.tx.verification.updateMany.mock.invocationCallOrder[0]).toBeLessThan(ledger.txAppend.mock.invocationCallOrder[0] ?? 0);
      });

      it('tells the enterprise once the change is committed', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        // The event's outbox row is part of the change's own transaction; it is queued after the commit.
        expect(verifications.event).toHaveBeenCalledExactlyOnceWith('verification.authorized', expect.objectContaining({ id: VERIFICATION_ID }), expect.objectContaining({ status: 'authorized' }));
        const event: unknown = verifications.event.mock.results[0]?.value;
        expect(ledger.recordChange.mock.calls[0]?.[2]).toEqual([event]);
        expect(verifications.committed).toHaveBeenCalledExactlyOnceWith(event);
        expect(ledger.recordChange.mock.invocationCallOrder[0]).toBeLessThan(verifications.committed.mock.invocationCallOrder[0] ?? 0);
      });

      it('redirects to the enterprise’s redirect_uri with verification_id, its state and status=authorized', async () => {
        const redirect = await sut.callback(url, REQUEST_ID, BROWSER);

        expect(`${redirect.origin}${redirect.pathname}`).toBe('https://acme.example/kyc/done');
        expect(Object.fromEntries(redirect.searchParams)).toEqual({
          lang: 'ja',
          verification_id: VERIFICATION_ID,
          state: 'client-state-1',
          status: 'authorized',
        });
      });

      it('leaves the state out of the redirect when the enterprise sent none', async () => {
        verifications.byId.mockResolvedValue(makeVerification({ clientState: null }));

        const redirect = await sut.callback(url, REQUEST_ID, BROWSER);

        expect(redirect.searchParams.has('state')).toBe(false);
        expect(redirect.searchParams.get('status')).toBe('authorized');
      });
    });

    describe('denied by the customer (CallbackFailure access_denied)', () => {
      beforeEach(() => {
        banks.completeAuthorization.mockRejectedValue(new CallbackFailure('access_denied', 'The customer declined.'));
      });

      it('ends the verification as denied and drops the applicant data', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        const update = ledger.tx.verification.updateMany.mock.calls[0]?.[0];
        expect(update).toEqual({
          where: { id: VERIFICATION_ID, status: 'pending' },
          data: { status: 'denied', endedAt: anyDate, applicantSealed: null, error: 'access_denied' },
        });
        expect(secrets.sealTokens).not.toHaveBeenCalled();
      });

      it('appends consent.denied with outcome denied, no subject_ref and no error_code', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(ledger.entries).toHaveLength(1);
        expect(ledger.entries[0]).toMatchObject({ type: 'consent.denied', outcome: 'denied', verification_id: VERIFICATION_ID, request_id: REQUEST_ID });
        expect(ledger.entries[0]).not.toHaveProperty('subject_ref');
        expect(ledger.entries[0]).not.toHaveProperty('error_code');
      });

      it('logs the verification and the failure kind', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(warn).toHaveBeenCalledWith({ verification_id: VERIFICATION_ID, kind: 'access_denied' }, 'consent did not complete');
      });

      it('tells the enterprise and redirects with error=access_denied', async () => {
        const redirect = await sut.callback(url, REQUEST_ID, BROWSER);

        expect(verifications.event).toHaveBeenCalledExactlyOnceWith('verification.denied', expect.objectContaining({ id: VERIFICATION_ID }), expect.objectContaining({ status: 'denied' }));
        expect(verifications.committed).toHaveBeenCalledOnce();
        expect(redirect.searchParams.get('error')).toBe('access_denied');
        expect(redirect.searchParams.get('verification_id')).toBe(VERIFICATION_ID);
        expect(redirect.searchParams.get('state')).toBe('client-state-1');
        expect(redirect.searchParams.has('status')).toBe(false);
      });
    });

    describe.each(['issuer_mismatch', 'bank_error', 'exchange_failed'] as const)('failed at the bank (CallbackFailure %s)', (kind) => {
      beforeEach(() => {
        banks.completeAuthorization.mockRejectedValue(new CallbackFailure(kind, 'it went wrong'));
      });

      it('ends the verification as failed with the failure kind', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(ledger.tx.verification.updateMany.mock.calls[0]?.[0].data).toEqual({
          status: 'failed',
          endedAt: anyDate,
          applicantSealed: null,
          error: kind,
        });
      });

      it('appends consent.failed with outcome failed and error_code BANK_ERROR', async () => {
        await sut.callback(url, REQUEST_ID, BROWSER);

        expect(ledger.entries).toEqual([expect.objectContaining({ type: 'consent.failed', outcome: 'failed', error_code: 'BANK_ERROR' })]);
      });

      it('redirects with error=server_error and sends no webhook', async () => {
        const redirect = await sut.callback(url, REQUEST_ID, BROWSER);

        expect(redirect.searchParams.get('error')).toBe('server_error');
        expect(redirect.searchParams.get('verification_id')).toBe(VERIFICATION_ID);
        expect(verifications.committed).not.toHaveBeenCalled();
      });
    });

    it('passes any other error on without touching the verification', async () => {
      const failure = new ProblemError('BANK_UNAVAILABLE', 'token endpoint down');
      banks.completeAuthorization.mockRejectedValue(failure);

      await expect(sut.callback(url, REQUEST_ID, BROWSER)).rejects.toBe(failure);

      expect(ledger.recordChange).not.toHaveBeenCalled();
      expect(verifications.committed).not.toHaveBeenCalled();
    });
  });

  describe('authorize', () => {
    const enterprise = makeEnterprise({ name: 'Acme Lending' });

    beforeEach(() => {
      verifications.byId.mockResolvedValue(makeVerification());
      policy.bound.mockResolvedValue({ enterprise, bank, contract: makeContract() });
      banks.pushAuthorization.mockResolvedValue({ url: new URL('https://bank-a.example/authorize?request_uri=urn%3Apar%3A1'), expiresIn: 60 });
    });

    it('answers NOT_FOUND for a malformed id without querying', async () => {
      const problem = await problemOf(sut.authorize('not-a-verification-id', BROWSER));

      expect(problem.code).toBe('NOT_FOUND');
      expect(verifications.byId).not.toHaveBeenCalled();
    });

    it('answers NOT_FOUND for an unknown verification', async () => {
      verifications.byId.mockResolvedValue(undefined);

      const problem = await problemOf(sut.authorize(VERIFICATION_ID, BROWSER));

      expect(problem.code).toBe('NOT_FOUND');
    });

    it('refuses an expired verification with CONSENT_EXPIRED (after settling its expiry)', async () => {
      verifications.settle.mockImplementation(async (row) => ({ ...row, status: 'expired' }));

      const problem = await problemOf(sut.authorize(VERIFICATION_ID, BROWSER));

      expect(problem.code).toBe('CONSENT_EXPIRED');
      expect(verifications.settle).toHaveBeenCalledOnce();
      expect(policy.bound).not.toHaveBeenCalled();
      expect(banks.pushAuthorization).not.toHaveBeenCalled();
    });

    it.each(['authorized', 'denied', 'failed', 'revoked'] as const)('refuses a %s verification with CONSENT_REQUIRED', async (status) => {
      verifications.settle.mockImplementation(async (row) => ({ ...row, status }));

      const problem = await problemOf(sut.authorize(VERIFICATION_ID, BROWSER));

      expect(problem.code).toBe('CONSENT_REQUIRED');
      expect(problem.detail).toContain(status);
      expect(states.put).not.toHaveBeenCalled();
      expect(banks.pushAuthorization).not.toHaveBeenCalled();
    });

    it('re-checks the verification’s own contract for its purpose', async () => {
      policy.bound.mockRejectedValue(new ProblemError('CONTRACT_NOT_FOUND', 'ended'));

      const problem = await problemOf(sut.authorize(VERIFICATION_ID, BROWSER));

      expect(problem.code).toBe('CONTRACT_NOT_FOUND');
      expect(policy.bound).toHaveBeenCalledWith(ENTERPRISE_ID, CONTRACT_ID, 'account_opening');
      expect(states.put).not.toHaveBeenCalled();
    });

    it('refuses when the contract no longer permits every requested claim', async () => {
      policy.bound.mockResolvedValue({ enterprise, bank, contract: makeContract({ claims: ['family_name'] }) });

      const problem = await problemOf(sut.authorize(VERIFICATION_ID, BROWSER));

      expect(problem.code).toBe('CLAIMS_NOT_PERMITTED');
      expect(banks.pushAuthorization).not.toHaveBeenCalled();
    });

    it('stores the flow for the verification’s remaining lifetime and pushes the same secrets to the bank', async () => {
      verifications.byId.mockResolvedValue(makeVerification({ expiresAt: new Date(Date.now() + 300_000) }));

      const authorizationUrl = await sut.authorize(VERIFICATION_ID, BROWSER);

      expect(authorizationUrl.href).toBe('https://bank-a.example/authorize?request_uri=urn%3Apar%3A1');
      expect(states.put).toHaveBeenCalledOnce();
      const [state, flow, ttlSeconds] = states.put.mock.calls[0] ?? [];
      expect(flow).toEqual({ verificationId: VERIFICATION_ID, bankId: 'bank-a', nonce: anyString, codeVerifier: anyString, browser: BROWSER });
      expect(ttlSeconds).toBeGreaterThan(295);
      expect(ttlSeconds).toBeLessThanOrEqual(300);
      expect(banks.pushAuthorization).toHaveBeenCalledExactlyOnceWith(bank, {
        state,
        nonce: flow?.nonce,
        codeVerifier: flow?.codeVerifier,
        authorizationDetails: [
          {
            type: 'kyc_release',
            enterprise: { id: ENTERPRISE_ID, name: 'Acme Lending' },
            purpose: 'account_opening',
            claims: ['family_name', 'given_name', 'birthdate'],
          },
        ],
      });
    });

    it('remembers the PAR for this browser for less than the bank keeps it', async () => {
      verifications.byId.mockResolvedValue(makeVerification({ expiresAt: new Date(Date.now() + 300_000) }));

      await sut.authorize(VERIFICATION_ID, BROWSER);

      const [id, browser, pushed, ttlSeconds] = states.rememberPushed.mock.calls[0] ?? [];
      expect([id, browser]).toEqual([VERIFICATION_ID, BROWSER]);
      expect(pushed?.url.href).toBe('https://bank-a.example/authorize?request_uri=urn%3Apar%3A1');
      expect(ttlSeconds).toBeLessThan(60);
      expect(ttlSeconds).toBeGreaterThan(30);
    });

    it('answers a pending PAR of the same browser again without pushing a new one', async () => {
      states.pending.mockResolvedValue(new URL('https://bank-a.example/authorize?request_uri=urn%3Apar%3A0'));

      const again = await sut.authorize(VERIFICATION_ID, BROWSER);

      expect(again.href).toBe('https://bank-a.example/authorize?request_uri=urn%3Apar%3A0');
      expect(states.pending).toHaveBeenCalledWith(VERIFICATION_ID, BROWSER);
      expect(states.put).not.toHaveBeenCalled();
      expect(banks.pushAuthorization).not.toHaveBeenCalled();
    });
  });
});
