import { Inject, Injectable, Logger } from '@nestjs/common';
import { CallbackFailure, newFlowSecrets } from '@kyc/bank-adapters';
import { isId } from '@kyc/common-schema';
import type { LedgerEntryType, LedgerOutcome } from '@kyc/ledger';
import { BROKER_CONFIG, ProblemError, type BrokerConfig, type Verification } from '@kyc/platform';
import { BankClientService } from '../banks/index.js';
import { ContractPolicy } from '../contracts/index.js';
import { LedgerService, subjectRef } from '../ledger/index.js';
import { transitionOf, VerificationSecrets, VerificationsService, type Transition, type WebhookType } from '../verifications/index.js';
import { ConsentStateStore } from './consent-state.store.js';
import { pairwiseSubject } from './subject.js';

const invalidCallback = (): ProblemError =>
  new ProblemError('INVALID_CALLBACK', 'This authorization response is unknown, already used or altered.');

/** Orchestrates the consent at the bank: PAR out, callback in, tokens sealed, outcome recorded. */
@Injectable()
export class ConsentService {
  private readonly logger = new Logger(ConsentService.name);

  constructor(
    private readonly banks: BankClientService,
    private readonly states: ConsentStateStore,
    private readonly secrets: VerificationSecrets,
    private readonly ledger: LedgerService,
    private readonly verifications: VerificationsService,
    private readonly policy: ContractPolicy,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  /**
   * Pushes the authorization request to the bank and returns where to send the browser. `browser`
   * is the digest of the browser's flow cookie: the callback must come back with it, and while the
   * bank's request_uri is valid the same browser gets the same PAR again (a reload sends no new one).
   */
  async authorize(id: string, browser: string): Promise<URL> {
    const row = isId('verification', id) ? await this.verifications.byId(id) : undefined;
    if (row === undefined) throw new ProblemError('NOT_FOUND', 'No such verification.');
    const current = await this.verifications.settle(row);
    if (current.status === 'expired') throw new ProblemError('CONSENT_EXPIRED', 'This verification has expired; start a new one.');
    if (current.status !== 'pending') throw new ProblemError('CONSENT_REQUIRED', `This verification is already ${current.status}.`);
    // The verification's own contract may have ended or narrowed, or the bank closed, since it was created.
    const { bank, enterprise, contract } = await this.policy.bound(row.enterpriseId, row.contractId, row.purpose);
    if (row.claims.some((c) => !contract.claims.includes(c))) {
      throw new ProblemError('CLAIMS_NOT_PERMITTED', 'The contract no longer permits some of the requested claims.');
    }
    const pending = await this.states.pending(row.id, browser);
    if (pending !== undefined) return pending;
    const { state, nonce, codeVerifier } = newFlowSecrets();
    const flow = { verificationId: row.id, bankId: bank.id, nonce, codeVerifier, browser };
    const remainingSeconds = (row.expiresAt.getTime() - Date.now()) / 1000;
    await this.states.put(state, flow, remainingSeconds);
    const pushed = await this.banks.pushAuthorization(bank, {
      state,
      nonce: flow.nonce,
      codeVerifier: flow.codeVerifier,
      authorizationDetails: [
        {
          type: 'kyc_release',
          enterprise: { id: enterprise.id, name: enterprise.name },
          purpose: row.purpose,
          claims: row.claims,
        },
      ],
    });
    // Reused a little less long than the bank keeps it, so a reused URL never arrives expired.
    await this.states.rememberPushed(row.id, browser, { url: pushed.url, state }, Math.min(pushed.expiresIn * 0.8, pushed.expiresIn - 5, remainingSeconds));
    return pushed.url;
  }

  /**
   * Handles the bank's redirect; answers the enterprise URL to send the browser to. `browser` is the
   * digest of the callback's flow cookie: a callback from a browser that did not start the flow (a
   * forwarded or replayed callback URL) is refused, and leaves the flow to the right browser.
   */
  async callback(callbackUrl: URL, requestId: string, browser: string | undefined): Promise<URL> {
    const state = callbackUrl.searchParams.get('state');
    if (state === null || state.length === 0 || state.length > 512) throw invalidCallback();
    const flow = await this.states.take(state, browser);
    if (flow === 'other-browser') {
      throw new ProblemError('INVALID_CALLBACK', 'This callback belongs to a consent started in another browser; finish it there.');
    }
    if (flow === 'unknown') throw invalidCallback();
    const row = await this.verifications.byId(flow.verificationId);
    // The state's TTL is the verification's remaining lifetime; a late callback is as good as unknown.
    if (row === undefined || row.status !== 'pending' || row.expiresAt <= new Date()) throw invalidCallback();
    const bank = await this.banks.bank(flow.bankId);
    try {
      const tokens = await this.banks.completeAuthorization(bank, callbackUrl, {
        state,
        nonce: flow.nonce,
        codeVerifier: flow.codeVerifier,
      });
      const ref = subjectRef(this.config.keys.subjectKey, bank.id, tokens.subject);
      const now = new Date();
      const contract = await this.policy.find(row.contractId);
      const ttl = contract?.accessTtlSeconds ?? this.config.defaultAccessTtlSeconds;
      await this.finish(row, 'consent.granted', 'ok', requestId, {
        status: 'authorized',
        authorizedAt: now,
        accessExpiresAt: new Date(now.getTime() + ttl * 1000),
        subject: pairwiseSubject(this.config.keys.subjectKey, row.enterpriseId, bank.id, tokens.subject),
        subjectRef: ref,
        tokensSealed: this.secrets.sealTokens(row.id, {
          access_token: tokens.accessToken,
          ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
        }),
      }, { ref, webhook: 'verification.authorized' });
      return this.enterpriseRedirect(row, { status: 'authorized' });
    } catch (err) {
      if (!(err instanceof CallbackFailure)) throw err;
      const denied = err.kind === 'access_denied';
      this.logger.warn({ verification_id: row.id, kind: err.kind }, 'consent did not complete');
      await this.finish(row, denied ? 'consent.denied' : 'consent.failed', denied ? 'denied' : 'failed', requestId, {
        status: denied ? 'denied' : 'failed',
        endedAt: new Date(),
        applicantSealed: null,
        error: denied ? 'access_denied' : err.kind,
      }, denied ? { webhook: 'verification.denied' } : { errorCode: 'BANK_ERROR' });
      return this.enterpriseRedirect(row, { error: denied ? 'access_denied' : 'server_error' });
    }
  }

  /**
   * Records the consent's outcome: the state change, its ledger entry and (for `webhook`) the
   * event's outbox row in one transaction. Once it committed nothing can turn the customer's
   * callback into an error: queueing the event never fails (the relay queues what it could not).
   */
  private async finish(
    row: Verification,
    type: LedgerEntryType,
    outcome: LedgerOutcome,
    requestId: string,
    to: Transition,
    { ref, errorCode, webhook }: { ref?: string; errorCode?: string; webhook?: WebhookType } = {},
  ): Promise<void> {
    const event = webhook === undefined ? undefined : this.verifications.event(webhook, row, to);
    const recorded = await this.ledger.recordChange(transitionOf(row.id, 'pending', to), {
      type,
      occurred_at: new Date().toISOString(),
      enterprise_id: row.enterpriseId,
      bank_id: row.bankId,
      verification_id: row.id,
      purpose: row.purpose,
      outcome,
      request_id: requestId,
      ...(ref ? { subject_ref: ref } : {}),
      ...(errorCode ? { error_code: errorCode } : {}),
    }, event === undefined ? [] : [event]);
    if (recorded === undefined) throw invalidCallback();
    if (event !== undefined) await this.verifications.committed(event);
  }

  private enterpriseRedirect(row: Verification, outcome: { status: string } | { error: string }): URL {
    const url = new URL(row.redirectUri);
    url.searchParams.set('verification_id', row.id);
    if (row.clientState !== null) url.searchParams.set('state', row.clientState);
    for (const [k, v] of Object.entries(outcome)) url.searchParams.set(k, v);
    return url;
  }
}
