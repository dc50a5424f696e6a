// Shared fakes for the broker's unit specs: entity factories with overrides, and plain objects of
// `vi.fn()` standing in for collaborators. Each spec casts a fake to the collaborator's type
// (`as unknown as PrismaService`) only where it hands it to the service under test.
import { EventEmitter } from 'node:events';
import { expect, vi } from 'vitest';
import type { AppendedEntry, RecordedChange } from '../../src/ledger/index.js';
import type { ContractPolicy } from '../../src/contracts/index.js';
import type { BankClientService } from '../../src/banks/index.js';
import type { VerificationSecrets, VerificationsService } from '../../src/verifications/index.js';
import type { NewLedgerEntry } from '@kyc/ledger';
import {
  CACHE_INVALIDATION_CHANNEL,
  CacheInvalidation,
  ProblemError,
  type Bank,
  type BrokerConfig,
  type CacheKind,
  type Contract,
  type Enterprise,
  type InvalidationPublisher,
  type Prisma,
  type Verification,
} from '@kyc/platform';

export const ENTERPRISE_ID = 'ent_0123456789abcdef0123456789abcdef';
export const CONTRACT_ID = 'ctr_0123456789abcdef0123456789abcdef';
export const VERIFICATION_ID = 'ver_0123456789abcdef0123456789abcdef';
export const EVENT_ID = 'evt_0123456789abcdef0123456789abcdef';
export const BANK_ID = 'bank-a';

const CREATED = new Date('2025-01-01T00:00:00.000Z');
const MINUTE = 60_000;

export type ContractWithBank = Contract & { bank: Bank };
export type WebhookDeliveryRow = Prisma.WebhookDeliveryModel;

export function makeEnterprise(overrides: Partial<Enterprise> = {}): Enterprise {
  return {
    id: ENTERPRISE_ID,
    name: 'Acme Lending',
    status: 'active',
    redirectUris: ['https://acme.example/kyc/done'],
    webhookUrl: 'https://acme.example/hooks/kyc',
    webhookSecretSealed: 'v1.sealed.webhook-secret',
    webhookSecretPreviousSealed: null,
    webhookSecretPreviousUntil: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

export function makeBank(overrides: Partial<Bank> = {}): Bank {
  return {
    id: BANK_ID,
    name: 'Kaede Bank',
    status: 'open',
    issuer: 'https://bank-a.example',
    adapter: 'kaede',
    dpopKeyId: BANK_ID,
    maxRps: 5,
    maxConcurrency: 2,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

export function makeContract(overrides: Partial<Contract> = {}): Contract {
  return {
    id: CONTRACT_ID,
    enterpriseId: ENTERPRISE_ID,
    bankId: BANK_ID,
    claims: ['family_name', 'given_name', 'birthdate'],
    purposes: ['account_opening'],
    mode: 'full',
    status: 'active',
    validFrom: null,
    validUntil: null,
    rateLimitRps: null,
    accessTtlSeconds: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

/** A contract as `findFirst/findMany({ include: { bank: true } })` answers it. */
export function withBank(contract: Contract, bank: Bank = makeBank({ id: contract.bankId })): ContractWithBank {
  return { ...contract, bank };
}

/** A pending verification, ten minutes left; pass `status: 'authorized'` etc. to move it on. */
export function makeVerification(overrides: Partial<Verification> = {}): Verification {
  const now = Date.now();
  return {
    id: VERIFICATION_ID,
    enterpriseId: ENTERPRISE_ID,
    bankId: BANK_ID,
    contractId: CONTRACT_ID,
    claims: ['family_name', 'given_name', 'birthdate'],
    purpose: 'account_opening',
    mode: 'full',
    redirectUri: 'https://acme.example/kyc/done',
    clientState: 'client-state-1',
    status: 'pending',
    error: null,
    stateHash: null,
    flowSealed: null,
    tokensSealed: null,
    applicantSealed: null,
    subject: null,
    subjectRef: null,
    createdAt: new Date(now - MINUTE),
    expiresAt: new Date(now + 10 * MINUTE),
    authorizedAt: null,
    accessExpiresAt: null,
    endedAt: null,
    ...overrides,
  };
}

/** An authorized verification that still holds its (sealed) bank tokens. */
export function makeAuthorizedVerification(overrides: Partial<Verification> = {}): Verification {
  const now = Date.now();
  return makeVerification({
    status: 'authorized',
    tokensSealed: 'v1.sealed.tokens',
    subject: 'pairwise-subject-1',
    subjectRef: 'a'.repeat(64),
    authorizedAt: new Date(now - MINUTE),
    accessExpiresAt: new Date(now + 15 * MINUTE),
    ...overrides,
  });
}

export function makeWebhookDelivery(overrides: Partial<WebhookDeliveryRow> = {}): WebhookDeliveryRow {
  return {
    id: EVENT_ID,
    enterpriseId: ENTERPRISE_ID,
    type: 'verification.authorized',
    body: '{}',
    status: 'pending',
    attempts: 0,
    lastError: null,
    createdAt: CREATED,
    deliveredAt: null,
    ...overrides,
  };
}

type ConfigOverrides = Partial<Omit<BrokerConfig, 'flow' | 'webhooks'>> & {
  flow?: Partial<BrokerConfig['flow']>;
  webhooks?: Partial<BrokerConfig['webhooks']>;
};

/** A BrokerConfig with small numbers, so flow-control waits stay in milliseconds. */
export function makeBrokerConfig(overrides: ConfigOverrides = {}): BrokerConfig {
  const { flow, webhooks, ...rest } = overrides;
  return {
    env: 'test',
    logLevel: 'silent',
    logFile: undefined,
    port: 3000,
    workers: 1,
    exposure: { metrics: 'public', docs: 'public' },
    publicUrl: 'https://broker.example',
    databaseUrl: 'postgresql://unit@localhost/unused',
    databasePoolSize: 2,
    readPoolSize: 1,
    ledger: { poolSize: 1, batchMax: 64, batchWaitMs: 1, origin: 'broker.example/kyc-ledger' },
    witnesses: { timeoutMs: 500 },
    redisUrl: 'redis://localhost:6379',
    operatorBootstrapKey: undefined,
    keysDir: '.keys',
    bindHost: '127.0.0.1',
    verificationTtlSeconds: 600,
    defaultAccessTtlSeconds: 900,
    bankTimeoutMs: 100,
    sweepIntervalMs: 30_000,
    enterpriseRateLimitRps: 100,
    checkpointIntervalMs: 60_000,
    keys: {
      clientAuthJwk: { kty: 'EC', d: 'unit-client-auth' },
      dpopJwks: { [BANK_ID]: { kty: 'EC', d: 'unit-dpop' } },
      tokenEncryptionKey: Buffer.alloc(32, 1),
      tokenEncryptionPreviousKeys: [],
      subjectKey: Buffer.alloc(32, 2),
      ledgerSigningJwk: { kty: 'OKP', d: 'unit-ledger' },
    },
    ...rest,
    flow: {
      waitBudgetMs: 50,
      requestDeadlineMs: 2_000,
      rateWindowMarginMs: 30,
      circuitFailureThreshold: 3,
      circuitCooldownMs: 1_000,
      ...flow,
    },
    inbound: { staffRps: 1_000, addressPerMinute: 1_000, authorizePerMinute: 1_000, authFailuresPerMinute: 1_000 },
    shutdownGraceMs: 10_000,
    failpoint: undefined,
    http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 },
    webhooks: { attempts: 3, backoffMs: 10, allowLoopback: true, relayIntervalMs: 1_000, secretOverlapSeconds: 86_400, ...webhooks },
  };
}

/** The Prisma delegates the services under test touch; anything else is absent on purpose. */
export function newPrismaMock() {
  return {
    enterprise: {
      findUnique: vi.fn<(args: { where: { id: string } }) => Promise<Enterprise | null>>(async () => null),
    },
    apiKey: {
      findUnique: vi.fn<(args: { where: { keyHash: string } }) => Promise<Prisma.ApiKeyModel | null>>(async () => null),
      updateMany: vi.fn<(args: unknown) => Promise<{ count: number }>>(async () => ({ count: 1 })),
      create: vi.fn<(args: unknown) => Promise<unknown>>(async () => ({})),
    },
    bank: {
      findUnique: vi.fn<(args: { where: { id: string } }) => Promise<Bank | null>>(async () => null),
    },
    contract: {
      findUnique: vi.fn<(args: { where: { id: string } }) => Promise<Contract | null>>(async () => null),
      findFirst: vi.fn<(args: unknown) => Promise<ContractWithBank | null>>(async () => null),
      findMany: vi.fn<(args: unknown) => Promise<ContractWithBank[]>>(async () => []),
    },
    verification: {
      findUnique: vi.fn<(args: unknown) => Promise<(Verification & { enterprise?: Enterprise }) | null>>(async () => null),
      updateMany: vi.fn<(args: unknown) => Promise<{ count: number }>>(async () => ({ count: 1 })),
    },
    webhookDelivery: {
      create: vi.fn<(args: { data: { id: string; enterpriseId: string; type: string; body: string } }) => Promise<WebhookDeliveryRow>>(
        async ({ data }) => makeWebhookDelivery(data),
      ),
      findUnique: vi.fn<(args: unknown) => Promise<WebhookDeliveryRow | null>>(async () => null),
      update: vi.fn<(args: unknown) => Promise<WebhookDeliveryRow>>(async () => makeWebhookDelivery()),
      findMany: vi.fn<(args: unknown) => Promise<WebhookDeliveryRow[]>>(async () => []),
    },
  };
}

export type PrismaMock = ReturnType<typeof newPrismaMock>;

/** The transaction client a fake `ledger.transaction` hands to its work. */
export function newTxMock() {
  return {
    verification: {
      updateMany: vi.fn<(args: { where: Record<string, unknown>; data: Record<string, unknown> }) => Promise<{ count: number }>>(async () => ({
        count: 1,
      })),
    },
  };
}

export type TxMock = ReturnType<typeof newTxMock>;

/** Model field names by column, to read a transition statement back (transitionOf). */
const TRANSITION_FIELDS: Record<string, string> = {
  status: 'status',
  authorized_at: 'authorizedAt',
  access_expires_at: 'accessExpiresAt',
  ended_at: 'endedAt',
  subject: 'subject',
  subject_ref: 'subjectRef',
  tokens_sealed: 'tokensSealed',
  applicant_sealed: 'applicantSealed',
  error: 'error',
};

/** A verification transition statement (UPDATE … SET col = $n … WHERE id = $1 AND status = $2) as Prisma-style where/data. */
export function readTransition(change: RecordedChange): { where: Record<string, unknown>; data: Record<string, unknown> } {
  const match = /^UPDATE verifications SET (.+) WHERE id = \$1 AND status = \$2::"VerificationStatus"$/.exec(change.text);
  if (match?.[1] === undefined) throw new Error(`not a verification transition: ${change.text}`);
  const data: Record<string, unknown> = {};
  for (const assignment of match[1].split(', ')) {
    const [, column, index] = /^(\w+) = \$(\d+)/.exec(assignment) ?? [];
    const field = TRANSITION_FIELDS[column ?? ''];
    if (field === undefined) throw new Error(`unknown column in ${assignment}`);
    data[field] = change.values[Number(index) - 1];
  }
  return { where: { id: change.values[0], status: change.values[1] }, data };
}

/**
 * LedgerService: `append` and `recordChange` record what they were given in `entries` (in order).
 * `recordChange` reads its statement back into a call of `tx.verification.updateMany` (whose count
 * says whether the row matched) and appends with its own `txAppend`, as the real one does in one
 * Postgres transaction.
 */
export function newLedgerMock() {
  const entries: NewLedgerEntry[] = [];
  let seq = 41;
  const record = async (entry: NewLedgerEntry): Promise<AppendedEntry> => {
    entries.push(entry);
    seq += 1;
    return { seq, leafHash: seq.toString(16).padStart(64, '0') };
  };
  const tx = newTxMock();
  const txAppend = vi.fn(record);
  const recordChange = vi.fn(async (change: RecordedChange, entry: NewLedgerEntry, _also: readonly RecordedChange[] = []): Promise<AppendedEntry | undefined> => {
    const { count } = await tx.verification.updateMany(readTransition(change));
    return count === 0 ? undefined : txAppend(entry);
  });
  return { entries, append: vi.fn(record), recordChange, tx, txAppend };
}

export type LedgerMock = ReturnType<typeof newLedgerMock>;

export function newVerificationsMock() {
  return {
    get: vi.fn<VerificationsService['get']>(),
    settle: vi.fn<VerificationsService['settle']>(async (row) => row),
    event: vi.fn<VerificationsService['event']>((type, row) => ({ id: `evt_${'0'.repeat(32)}`, text: 'INSERT event', values: [type, row.id] })),
    committed: vi.fn<VerificationsService['committed']>(async () => undefined),
    byId: vi.fn<VerificationsService['byId']>(async () => undefined),
  };
}

export function newVerificationSecretsMock() {
  return {
    sealTokens: vi.fn<VerificationSecrets['sealTokens']>((id) => `v1.sealed-tokens-for.${id}`),
    openTokens: vi.fn<VerificationSecrets['openTokens']>(() => ({ access_token: 'bank-access-token' })),
    openApplicant: vi.fn<VerificationSecrets['openApplicant']>(() => undefined),
  };
}

export function newContractPolicyMock() {
  return {
    permit: vi.fn<ContractPolicy['permit']>(),
    bound: vi.fn<ContractPolicy['bound']>(),
    limit: vi.fn<ContractPolicy['limit']>(async () => undefined),
    find: vi.fn<ContractPolicy['find']>(async () => undefined),
    enterprise: vi.fn<ContractPolicy['enterprise']>(async () => makeEnterprise()),
  };
}

export function newBankClientMock() {
  return {
    bank: vi.fn<BankClientService['bank']>(async () => makeBank()),
    fetchIdentity: vi.fn<BankClientService['fetchIdentity']>(),
    pushAuthorization: vi.fn<BankClientService['pushAuthorization']>(),
    completeAuthorization: vi.fn<BankClientService['completeAuthorization']>(),
  };
}

/** A subscriber connection without Redis: `connect` makes it ready, `deliver` plays a message from another instance. */
class FakeSubscriber extends EventEmitter {
  readonly subscribe = vi.fn(async (_channel: string) => 1);
  async connect(): Promise<void> {
    this.emit('ready');
  }
  disconnect(): void {
    this.emit('close');
  }
  deliver(kind: CacheKind | 'all', id?: string): void {
    this.emit('message', CACHE_INVALIDATION_CHANNEL, JSON.stringify({ kind, id }));
  }
}

/**
 * The real CacheInvalidation on a fake subscriber and publisher. Not yet connected, it is not live, so
 * caches built on it are bypassed (every lookup reaches the fake Prisma); `await connect()` turns them on.
 */
export function newCacheInvalidation() {
  const publish = vi.fn<InvalidationPublisher['publish']>(async () => 1);
  const subscriber = new FakeSubscriber();
  const bus = new CacheInvalidation({ publish }, subscriber);
  return { bus, publish, subscriber, connect: () => bus.onModuleInit() };
}

export type CacheInvalidationFake = ReturnType<typeof newCacheInvalidation>;

/** The ProblemError `work` rejects with; fails the test when it resolves or throws anything else. */
export async function problemOf(work: Promise<unknown>): Promise<ProblemError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ProblemError) return err;
    throw err;
  }
  throw new Error('expected a ProblemError, but the call resolved');
}

/** Asymmetric matchers typed `unknown` instead of `any`, for use inside object literals under strict lint. */
export const anyDate: unknown = expect.any(Date);
export const anyString: unknown = expect.any(String);
export const containing = (shape: Record<string, unknown>): unknown => expect.objectContaining(shape);
