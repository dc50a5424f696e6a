import { Inject, Injectable } from '@nestjs/common';
import {
  BANK_ADAPTERS,
  BankOAuthClient,
  type BankAdapter,
  type BankIdentity,
  type BankTokens,
  type PushedAuthorization,
} from '@kyc/bank-adapters';
import type { ClaimName } from '@kyc/common-schema';
import { BROKER_CONFIG, PrismaService, ProblemError, type Bank, type BrokerConfig } from '@kyc/platform';
import { FlowControl } from '../flow/flow-control.js';

export const BROKER_CLIENT_ID = 'kyc-broker';

/** The broker's side of every bank: its row, its adapter, and the FAPI client that reaches it. */
@Injectable()
export class BankClientService {
  readonly oauth: BankOAuthClient;
  private readonly adapters: ReadonlyMap<string, BankAdapter>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly flow: FlowControl,
    @Inject(BANK_ADAPTERS) adapters: BankAdapter[],
    @Inject(BROKER_CONFIG) config: BrokerConfig,
  ) {
    this.adapters = new Map(adapters.map((a) => [a.kind, a]));
    this.oauth = new BankOAuthClient({
      clientId: BROKER_CLIENT_ID,
      redirectUri: `${config.publicUrl}/v1/oauth/callback`,
      timeoutMs: config.bankTimeoutMs,
      keys: { clientAuthJwk: config.keys.clientAuthJwk, dpopJwks: config.keys.dpopJwks },
    });
  }

  async bank(bankId: string): Promise<Bank> {
    const bank = await this.prisma.bank.findUnique({ where: { id: bankId } });
    if (bank === null) throw new ProblemError('NOT_FOUND', 'No such bank.');
    return bank;
  }

  adapterFor(bank: Bank): BankAdapter {
    const adapter = this.adapters.get(bank.adapter);
    if (adapter === undefined) throw new Error(`bank ${bank.id} names adapter ${bank.adapter}, which is not installed`);
    return adapter;
  }

  async pushAuthorization(bank: Bank, request: Omit<PushedAuthorization, 'scope'>): Promise<URL> {
    const scope = this.adapterFor(bank).scope;
    return this.flow.run(bank, () => this.oauth.pushAuthorization(bank.issuer, bank.id, { ...request, scope }), { kind: 'oauth', idempotent: false });
  }

  async completeAuthorization(
    bank: Bank,
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<BankTokens> {
    return this.oauth.completeAuthorization(bank.issuer, bank.id, callbackUrl, expected);
  }

  /** The identity from the bank's KYC API, through the bank's flow control, normalized by its adapter. */
  async fetchIdentity(bank: Bank, accessToken: string, claims: readonly ClaimName[]): Promise<BankIdentity> {
    const adapter = this.adapterFor(bank);
    return this.flow.run(
      bank,
      () =>
        adapter.fetchIdentity({
          claims,
          call: (method, path, body) => this.oauth.resourceRequest(bank.issuer, bank.id, accessToken, method, path, body),
        }),
      // Both banks' KYC calls only read, so a call lost in transport may be sent again.
      { kind: 'kyc', idempotent: true },
    );
  }

  async revoke(bankId: string, token: string): Promise<void> {
    const bank = await this.bank(bankId);
    await this.oauth.revoke(bank.issuer, token);
  }
}
