import { Inject, Injectable, Logger } from '@nestjs/common';
import { isId, newId, type CreateVerification } from '@kyc/common-schema';
import { canonicalJson } from '@kyc/ledger';
import { BROKER_CONFIG, inTransaction, keyedHash, PrismaService, ProblemError, ROLLBACK, type BrokerConfig, type Verification } from '@kyc/platform';
import { BankClientService } from '../banks/index.js';
import { ContractPolicy } from '../contracts/index.js';
import { LedgerService, type RecordedChange } from '../ledger/index.js';
import { WebhooksService, type OutboxEvent, type WebhookType } from '../webhooks/index.js';
import { BankRevocations } from './bank-revocations.js';
import { VerificationSecrets } from './verification-secrets.js';
import { verificationView, type VerificationView } from './verification.view.js';

/** A verification row as Prisma's model names it, for statements on the driver. */
const VERIFICATION_COLUMNS = `id, enterprise_id AS "enterpriseId", bank_id AS "bankId", contract_id AS "contractId", claims, purpose,
  mode::text AS mode, redirect_uri AS "redirectUri", client_state AS "clientState", status::text AS status, error,
  state_hash AS "stateHash", flow_sealed AS "flowSealed", tokens_sealed AS "tokensSealed", applicant_sealed AS "applicantSealed",
  subject, subject_ref AS "subjectRef", created_at AS "createdAt", expires_at AS "expiresAt", authorized_at AS "authorizedAt",
  access_expires_at AS "accessExpiresAt", ended_at AS "endedAt"`;

const INSERT_VERIFICATION = `INSERT INTO verifications (id, enterprise_id, bank_id, contract_id, claims, purpose, mode, redirect_uri, client_state, expires_at, applicant_sealed)
VALUES ($1, $2, $3, $4, $5::text[], $6, $7::"ContractMode", $8, $9, $10, $11) RETURNING ${VERIFICATION_COLUMNS}`;
const INSERT_IDEMPOTENCY = 'INSERT INTO idempotency_records (enterprise_id, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5::jsonb)';
/** How long an Idempotency-Key answers the same (then its record is deleted). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Postgres' unique_violation. */
const UNIQUE_VIOLATION = '23505';

interface NewVerificationRow {
  readonly id: string;
  readonly enterpriseId: string;
  readonly bankId: string;
  readonly contractId: string;
  readonly claims: readonly string[];
  readonly purpose: string;
  readonly mode: Verification['mode'];
  readonly redirectUri: string;
  readonly clientState: string | null;
  readonly expiresAt: Date;
  readonly applicantSealed: string | null;
}

/** Another tenant's row is not found. */
const SELECT_VERIFICATION = `SELECT ${VERIFICATION_COLUMNS} FROM verifications WHERE id = $1 AND enterprise_id = $2`;
const SELECT_VERIFICATION_BY_ID = `SELECT ${VERIFICATION_COLUMNS} FROM verifications WHERE id = $1`;

/** The columns a state transition may set, by the model's field names. */
const TRANSITION_COLUMNS = {
  status: 'status',
  authorizedAt: 'authorized_at',
  accessExpiresAt: 'access_expires_at',
  endedAt: 'ended_at',
  subject: 'subject',
  subjectRef: 'subject_ref',
  tokensSealed: 'tokens_sealed',
  applicantSealed: 'applicant_sealed',
  error: 'error',
} as const satisfies Partial<Record<keyof Verification, string>>;

export type Transition = { readonly status: Verification['status'] } & Partial<Pick<Verification, Exclude<keyof typeof TRANSITION_COLUMNS, 'status'>>>;

/**
 * The statement that moves verification `id` from `from` to `to.status` with the other fields of
 * `to`; it matches no row when someone changed the verification meanwhile (LedgerService.recordChange).
 */
export function transitionOf(id: string, from: Verification['status'], to: Transition): RecordedChange {
  const sets: string[] = [];
  const values: unknown[] = [id, from];
  for (const [field, column] of Object.entries(TRANSITION_COLUMNS)) {
    const value = (to as Record<string, unknown>)[field];
    if (value === undefined) continue;
    values.push(value);
    sets.push(field === 'status' ? `${column} = $${values.length}::"VerificationStatus"` : `${column} = $${values.length}`);
  }
  return { text: `UPDATE verifications SET ${sets.join(', ')} WHERE id = $1 AND status = $2::"VerificationStatus"`, values };
}

export type CreatedVerification = VerificationView & { authorization_url: string };

/** Verifications from the enterprise's side: create, read (settling expiry), revoke. */
@Injectable()
export class VerificationsService {
  private readonly logger = new Logger(VerificationsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly policy: ContractPolicy,
    private readonly secrets: VerificationSecrets,
    private readonly ledger: LedgerService,
    private readonly bankClient: BankClientService,
    private readonly webhooks: WebhooksService,
    private readonly revocations: BankRevocations,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async create(enterpriseId: string, body: CreateVerification, idempotencyKey?: string): Promise<CreatedVerification> {
    // Keyed: the body holds the applicant's data, which an unkeyed digest would let anyone confirm by guessing.
    const requestHash = keyedHash(this.config.keys.subjectKey, 'idempotency-request', enterpriseId, canonicalJson(body)).toString('hex');
    if (idempotencyKey !== undefined) {
      const replay = await this.replay(enterpriseId, idempotencyKey, requestHash);
      if (replay !== undefined) return replay;
    }
    const enterprise = await this.policy.enterprise(enterpriseId);
    if (enterprise !== undefined && enterprise.status === 'active' && !enterprise.redirectUris.includes(body.redirect_uri)) {
      throw new ProblemError('REDIRECT_URI_NOT_REGISTERED', 'redirect_uri must exactly match one registered for this enterprise.');
    }
    const { contract } = await this.policy.permit(enterpriseId, body.bank_id, body.claims, body.purpose);
    await this.policy.limit(contract);
    if (contract.mode === 'match_only' && body.applicant === undefined) {
      throw new ProblemError('VALIDATION_FAILED', 'A match-only contract needs the applicant data to match.', {
        errors: [{ path: 'applicant', message: 'required for a match-only contract' }],
      });
    }
    const id = newId('verification');
    const now = new Date();
    const data = {
      id,
      enterpriseId,
      bankId: body.bank_id,
      contractId: contract.id,
      claims: body.claims,
      purpose: body.purpose,
      mode: contract.mode,
      redirectUri: body.redirect_uri,
      clientState: body.state ?? null,
      expiresAt: new Date(now.getTime() + this.config.verificationTtlSeconds * 1000),
      applicantSealed: body.applicant === undefined ? null : this.secrets.sealApplicant(id, body.applicant),
    };
    try {
      return await this.insert(data, idempotencyKey === undefined ? undefined : { enterpriseId, key: idempotencyKey, requestHash });
    } catch (err) {
      // A concurrent request with the same key won the race: answer as it did.
      if (idempotencyKey !== undefined && (err as { code?: unknown }).code === UNIQUE_VIOLATION) {
        const replay = await this.replay(enterpriseId, idempotencyKey, requestHash);
        if (replay !== undefined) return replay;
      }
      throw err;
    }
  }

  /** The new row and, in the same transaction, its idempotency record: statements on the driver. */
  private async insert(
    data: NewVerificationRow,
    idempotency: { enterpriseId: string; key: string; requestHash: string } | undefined,
  ): Promise<CreatedVerification> {
    const client = await this.prisma.pool.connect();
    let broken: Error | undefined;
    try {
      if (idempotency !== undefined) await client.query('BEGIN');
      const inserted = await client.query<Verification>({
        name: 'verification-insert',
        text: INSERT_VERIFICATION,
        values: [data.id, data.enterpriseId, data.bankId, data.contractId, data.claims, data.purpose, data.mode, data.redirectUri, data.clientState, data.expiresAt, data.applicantSealed],
      });
      const row = inserted.rows[0];
      if (row === undefined) throw new Error('the verification insert answered no row');
      const created = this.createdView(row);
      if (idempotency !== undefined) {
        const { enterpriseId, key, requestHash } = idempotency;
        await client.query({ name: 'idempotency-insert', text: INSERT_IDEMPOTENCY, values: [enterpriseId, key, requestHash, 201, JSON.stringify(created)] });
        await client.query('COMMIT');
      }
      return created;
    } catch (err) {
      if (idempotency !== undefined) {
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          // A connection whose transaction state is unknown is dropped rather than reused.
          broken = rollback instanceof Error ? rollback : new Error('ROLLBACK failed');
        });
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** The enterprise's own verification, with expiry applied; another tenant's or a malformed id is 404. */
  async get(enterpriseId: string, id: string): Promise<Verification> {
    if (!isId('verification', id)) throw new ProblemError('NOT_FOUND', 'No such verification.');
    // One hand-written statement on the driver: every release starts here (docs/performance.md).
    const { rows } = await this.prisma.pool.query<Verification>({ name: 'verification-by-id', text: SELECT_VERIFICATION, values: [id, enterpriseId] });
    const row = rows[0];
    if (row === undefined) throw new ProblemError('NOT_FOUND', 'No such verification.');
    return this.settle(row);
  }

  /** Applies due expiry: pending past `expires_at`, or authorized past `access_expires_at` (tokens dropped). */
  async settle(row: Verification): Promise<Verification> {
    const now = new Date();
    const due =
      (row.status === 'pending' && row.expiresAt <= now) ||
      (row.status === 'authorized' && row.accessExpiresAt !== null && row.accessExpiresAt <= now);
    if (!due) return row;
    return (await this.expire(row, now)) ?? (await this.prisma.verification.findUnique({ where: { id: row.id } })) ?? row;
  }

  /**
   * Ends a verification that ran out (if nobody changed it meanwhile) and tells the enterprise: the
   * event's outbox row is written in the same transaction as the change.
   */
  async expire(row: Verification, now = new Date()): Promise<Verification | undefined> {
    const to: Transition = { status: 'expired', endedAt: now, tokensSealed: null, applicantSealed: null };
    const event = this.event('verification.expired', row, to);
    const change = transitionOf(row.id, row.status, to);
    const ended = await inTransaction(this.prisma.pool, async (client) => {
      if ((await client.query({ text: change.text, values: [...change.values] })).rowCount === 0) return ROLLBACK;
      await client.query({ text: event.text, values: [...event.values] });
      return { ...row, ...to };
    });
    if (ended !== undefined) await this.webhooks.committed(event);
    return ended;
  }

  /** The outbox row of a webhook event for `row` once `to` applies (for the change's own transaction). */
  event(type: WebhookType, row: Verification, to: Transition): OutboxEvent {
    return this.webhooks.event(row.enterpriseId, type, verificationView({ ...row, ...to }));
  }

  /** Queues a committed event at once (the relay queues it otherwise); never fails the caller. */
  async committed(event: OutboxEvent): Promise<void> {
    await this.webhooks.committed(event);
  }

  /**
   * Drops the tokens and records the revocation; the webhook event and the revocation at the bank
   * (RFC 7009) are outbox rows of the same transaction, carried out by their own retried jobs, so
   * neither can be lost or skip the other.
   */
  async revoke(enterpriseId: string, id: string, requestId: string): Promise<void> {
    const row = await this.get(enterpriseId, id);
    if (row.status !== 'authorized') {
      throw new ProblemError('CONSENT_REQUIRED', `Only an authorized verification can be revoked; this one is ${row.status}.`);
    }
    const to: Transition = { status: 'revoked', endedAt: new Date(), tokensSealed: null, applicantSealed: null };
    const event = this.event('verification.revoked', row, to);
    const tokens = this.secrets.openTokens(row);
    const revocation = tokens === undefined ? undefined : this.revocations.outbox(row.id, row.bankId, tokens.refresh_token ?? tokens.access_token);
    const recorded = await this.ledger.recordChange(
      transitionOf(id, 'authorized', to),
      {
        type: 'verification.revoked',
        occurred_at: new Date().toISOString(),
        enterprise_id: row.enterpriseId,
        bank_id: row.bankId,
        verification_id: row.id,
        purpose: row.purpose,
        outcome: 'ok',
        request_id: requestId,
        ...(row.subjectRef ? { subject_ref: row.subjectRef } : {}),
      },
      revocation === undefined ? [event] : [event, revocation],
    );
    if (recorded === undefined) throw new ProblemError('CONSENT_REQUIRED', 'The verification changed meanwhile; read it again.');
    await this.webhooks.committed(event);
    if (revocation !== undefined) await this.revocations.committed(revocation);
  }


  /** Any tenant's verification by id, as stored (no expiry applied): for the consent flow and events. */
  async byId(id: string): Promise<Verification | undefined> {
    if (!isId('verification', id)) return undefined;
    const { rows } = await this.prisma.pool.query<Verification>({ name: 'verification-by-id-any', text: SELECT_VERIFICATION_BY_ID, values: [id] });
    return rows[0];
  }

  private createdView(row: Verification): CreatedVerification {
    return { ...verificationView(row), authorization_url: `${this.config.publicUrl}/v1/verifications/${row.id}/authorize` };
  }

  private async replay(enterpriseId: string, key: string, requestHash: string): Promise<CreatedVerification | undefined> {
    const record = await this.prisma.idempotencyRecord.findUnique({ where: { enterpriseId_key: { enterpriseId, key } } });
    if (record === null) return undefined;
    if (record.createdAt.getTime() <= Date.now() - IDEMPOTENCY_TTL_MS) {
      // Past its lifetime the key is free again (the sweeper deletes such records too).
      await this.prisma.idempotencyRecord.deleteMany({ where: { enterpriseId, key, createdAt: record.createdAt } });
      return undefined;
    }
    if (record.requestHash !== requestHash) {
      throw new ProblemError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used with a different request body.');
    }
    return record.response as unknown as CreatedVerification;
  }
}
