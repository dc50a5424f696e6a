import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { BankOAuthClient, type BankAdapter, type BankIdentity, type BankTokens, type PushedAuthorization } from '@kyc/bank-adapters';
import type { ClaimName } from '@kyc/common-schema';
import { BROKER_CONFIG, CacheInvalidation, PrismaService, ProblemError, type Bank, type BrokerConfig, type TtlCache } from '@kyc/platform';
import { FlowControl } from '../flow/index.js';
import { isBankAdapterToken } from './bank-adapter.providers.js';

export const BROKER_CLIENT_ID = 'kyc-broker';

/** Bank rows, invalidated on every PATCH of a bank (ADR 0013); the TTL is only the safety net. */
const BANK_CACHE_MS = 30_000;
const BANK_CACHE_MAX = 256;

/**
 * The broker's side of every bank: its row (id, issuer, adapter kind, DPoP key id, limits), the
 * adapter that speaks its API, and the FAPI client that reaches it. Nothing here names a bank.
 */
@Injectable()
export class BankClientService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BankClientService.name);
  private readonly oauth: BankOAuthClient;
  private adapters: ReadonlyMap<string, BankAdapter> = new Map();
  private readonly banks: TtlCache<string, Bank>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly flow: FlowControl,
    private readonly discovery: DiscoveryService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    invalidation: CacheInvalidation,
  ) {
    this.banks = invalidation.cache({
      max: BANK_CACHE_MAX,
      ttlMs: BANK_CACHE_MS,
      invalidate: ({ kind, id }, cache) => {
        if (kind === 'bank') cache.delete(id);
      },
    });
    this.oauth = new BankOAuthClient({
      clientId: BROKER_CLIENT_ID,
      redirectUri: `${config.publicUrl}/v1/oauth/callback`,
      timeoutMs: config.bankTimeoutMs,
      keys: { clientAuthJwk: config.keys.clientAuthJwk, dpopJwks: config.keys.dpopJwks },
    });
  }

  /** Collects every registered adapter (see bank-adapter.providers.ts) and checks the bank rows against them. */
  async onModuleInit(): Promise<void> {
    const found = new Map<string, BankAdapter>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!isBankAdapterToken(wrapper.token)) continue;
      const adapter = wrapper.instance as BankAdapter;
      if (found.has(adapter.kind)) throw new Error(`two bank adapters claim the kind ${adapter.kind}`);
      found.set(adapter.kind, adapter);
    }
    this.adapters = found;
    const banks = await this.prisma.bank.findMany().catch(() => []);
    for (const bank of banks) {
      if (!found.has(bank.adapter)) this.logger.warn({ bank_id: bank.id, adapter: bank.adapter }, 'bank names an adapter that is not installed');
      if (this.config.keys.dpopJwks[bank.dpopKeyId] === undefined) {
        this.logger.warn({ bank_id: bank.id, dpop_key_id: bank.dpopKeyId }, 'bank names a DPoP key that is not configured');
      }
    }
  }

  /** Closes the keep-alive connections to the banks. */
  async onModuleDestroy(): Promise<void> {
    await this.oauth.close();
  }

  async bank(bankId: string): Promise<Bank> {
    const bank = await this.banks.load(bankId, async () => (await this.prisma.bank.findUnique({ where: { id: bankId } })) ?? undefined);
    if (bank === undefined) throw new ProblemError('NOT_FOUND', 'No such bank.');
    return bank;
  }

  adapterFor(bank: Bank): BankAdapter {
    const adapter = this.adapters.get(bank.adapter);
    if (adapter === undefined) throw new Error(`bank ${bank.id} names adapter ${bank.adapter}, which is not installed`);
    return adapter;
  }

  /** Fetches (or answers from cache) the bank's discovery document: its readiness. */
  async discover(bank: Bank): Promise<void> {
    await this.oauth.discover(bank.issuer);
  }

  /** PAR, counted in the bank's flow control like a KYC call (its rate and concurrency), never resent. */
  async pushAuthorization(bank: Bank, request: Omit<PushedAuthorization, 'scope'>): Promise<{ url: URL; expiresIn: number }> {
    const scope = this.adapterFor(bank).scope;
    return this.flow.run(bank, () => this.oauth.pushAuthorization(bank.issuer, bank.dpopKeyId, { ...request, scope }), {
      kind: 'par',
      idempotent: false,
    });
  }

  async completeAuthorization(
    bank: Bank,
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<BankTokens> {
    return this.oauth.completeAuthorization(bank.issuer, bank.dpopKeyId, callbackUrl, expected);
  }

  /** The identity from the bank's KYC API, through the bank's flow control, normalized by its adapter. */
  async fetchIdentity(bank: Bank, accessToken: string, claims: readonly ClaimName[]): Promise<BankIdentity> {
    const adapter = this.adapterFor(bank);
    return this.flow.run(
      bank,
      () =>
        adapter.fetchIdentity({
          claims,
          call: (method, path, body) => this.oauth.resourceRequest(bank.issuer, bank.dpopKeyId, accessToken, method, path, body),
        }),
      // KYC calls only read, so a call lost in transport may be sent again.
      { kind: 'kyc', idempotent: true },
    );
  }

  async revoke(bankId: string, token: string): Promise<void> {
    const bank = await this.bank(bankId);
    await this.oauth.revoke(bank.issuer, token);
  }
}
