import { setTimeout as sleep } from 'node:timers/promises';
import type Provider from 'oidc-provider';
import type { BankConfig } from '../config/bank-config.js';
import { ControlState } from '../control/control-state.js';
import { createBankProvider, resourceIndicatorOf } from '../oidc/bank-provider.js';
import type { KycRelease } from '../oidc/kyc-release.js';
import type { BankCustomer } from '../persons/person.js';
import { DpopAccessVerifier, ResourceAccessError, type AccessTokenRecord, type ResourceRequest } from '../resource/dpop-access.js';
import { Witness } from '../witness/witness.js';
import { WitnessStore } from '../witness/witness-store.js';
import { CustomerDirectory, type BankDefinition } from './bank-definition.js';

export const BANK_RUNTIME = Symbol('BANK_RUNTIME');

/** The outcome of one KYC API call before the bank renders it in its own format. */
export type KycOutcome =
  | { readonly kind: 'maintenance'; readonly retryAfterSeconds: number }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'unauthorized'; readonly error: ResourceAccessError }
  | { readonly kind: 'internal_error' }
  | { readonly kind: 'customer_not_found' }
  | { readonly kind: 'ok'; readonly customer: BankCustomer; readonly release: KycRelease; readonly malformed: boolean };

/** One running mock bank: its provider, customers, fault controls, resource-server checks and witness. */
export class BankRuntime {
  readonly directory: CustomerDirectory;
  readonly provider: Provider;
  readonly control = new ControlState();
  readonly resource: string;
  readonly witness: Witness;
  private readonly verifier: DpopAccessVerifier;

  constructor(
    readonly config: BankConfig,
    readonly bank: BankDefinition,
  ) {
    this.directory = new CustomerDirectory(bank.customers);
    this.provider = createBankProvider(config, bank, this.directory);
    this.resource = resourceIndicatorOf(config, bank);
    this.witness = new Witness({
      name: config.witness.name,
      privateJwk: config.witness.privateJwk,
      logs: [config.witness.log],
      store: new WitnessStore(config.witness.stateDir),
    });
    this.verifier = new DpopAccessVerifier({
      issuer: config.issuer,
      resource: this.resource,
      scope: bank.scope,
      lookup: (token) => this.findAccessToken(token),
    });
  }

  /** Admission (maintenance, rate limit), injected latency, DPoP access check, injected errors. */
  async handleKycCall(request: ResourceRequest): Promise<KycOutcome> {
    const admission = this.control.admit();
    if (admission.kind !== 'admitted') return admission;
    if (admission.delayMs > 0) await sleep(admission.delayMs);
    let access;
    try {
      access = await this.verifier.verify(request);
    } catch (error) {
      if (error instanceof ResourceAccessError) return { kind: 'unauthorized', error };
      throw error;
    }
    if (admission.fail) return { kind: 'internal_error' };
    const customer = this.directory.find(access.accountId);
    if (!customer) return { kind: 'customer_not_found' };
    return { kind: 'ok', customer, release: access.release, malformed: admission.malformed };
  }

  private async findAccessToken(token: string): Promise<AccessTokenRecord | undefined> {
    const found = await this.provider.AccessToken.find(token);
    if (!found?.accountId) return undefined;
    return {
      accountId: found.accountId,
      clientId: found.clientId,
      jkt: found.jkt,
      scope: found.scope,
      aud: found.aud,
      rar: found.rar,
    };
  }
}
