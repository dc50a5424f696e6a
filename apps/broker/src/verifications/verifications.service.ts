import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isId, newId, type CreateVerification } from '@kyc/common-schema';
import { canonicalJson } from '@kyc/ledger';
import { BROKER_CONFIG, Prisma, PrismaService, ProblemError, type BrokerConfig, type Verification } from '@kyc/platform';
import { BankClientService } from '../banks/index.js';
import { ContractPolicy } from '../contracts/index.js';
import { LedgerService } from '../ledger/index.js';
import { WebhooksService, type WebhookType } from '../webhooks/index.js';
import { VerificationSecrets } from './verification-secrets.js';
import { verificationView, type VerificationView } from './verification.view.js';

/** A verification row as Prisma's model names it, read by the driver; another tenant's row is not found. */
const SELECT_VERIFICATION = `SELECT id, enterprise_id AS "enterpriseId", bank_id AS "bankId", contract_id AS "contractId", claims, purpose,
  mode::text AS mode, redirect_uri AS "redirectUri", client_state AS "clientState", status::text AS status, error,
  state_hash AS "stateHash", flow_sealed AS "flowSealed", tokens_sealed AS "tokensSealed", applicant_sealed AS "applicantSealed",
  subject, subject_ref AS "subjectRef", created_at AS "createdAt", expires_at AS "expiresAt", authorized_at AS "authorizedAt",
  access_expires_at AS "accessExpiresAt", ended_at AS "endedAt"
FROM verifications WHERE id = $1 AND enterprise_id = $2`;

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
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async create(enterpriseId: string, body: CreateVerification, idempotencyKey?: string): Promise<CreatedVerification> {
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
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
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.verification.create({ data });
        const created = this.createdView(row);
        if (idempotencyKey !== undefined) {
          await tx.idempotencyRecord.create({
            data: { enterpriseId, key: idempotencyKey, requestHash, statusCode: 201, response: created },
          });
        }
        return created;
      });
    } catch (err) {
      // A concurrent request with the same key won the race: answer as it did.
      if (idempotencyKey !== undefined && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const replay = await this.replay(enterpriseId, idempotencyKey, requestHash);
        if (replay !== undefined) return replay;
      }
      throw err;
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

  /** Ends a verification that ran out (if nobody changed it meanwhile) and tells the enterprise. */
  async expire(row: Verification, now = new Date()): Promise<Verification | undefined> {
    const { count } = await this.prisma.verification.updateMany({
      where: { id: row.id, status: row.status },
      data: { status: 'expired', endedAt: now, tokensSealed: null, applicantSealed: null },
    });
    if (count === 0) return undefined;
    return this.notify('verification.expired', row.id);
  }

  /** Drops the tokens, revokes them at the bank (RFC 7009), records the revocation. */
  async revoke(enterpriseId: string, id: string, requestId: string): Promise<void> {
    const row = await this.get(enterpriseId, id);
    if (row.status !== 'authorized') {
      throw new ProblemError('CONSENT_REQUIRED', `Only an authorized verification can be revoked; this one is ${row.status}.`);
    }
    await this.ledger.transaction(async (tx, append) => {
      const { count } = await tx.verification.updateMany({
        where: { id, status: 'authorized' },
        data: { status: 'revoked', endedAt: new Date(), tokensSealed: null, applicantSealed: null },
      });
      if (count === 0) throw new ProblemError('CONSENT_REQUIRED', 'The verification changed meanwhile; read it again.');
      await append({
        type: 'verification.revoked',
        occurred_at: new Date().toISOString(),
        enterprise_id: row.enterpriseId,
        bank_id: row.bankId,
        verification_id: row.id,
        purpose: row.purpose,
        outcome: 'ok',
        request_id: requestId,
        ...(row.subjectRef ? { subject_ref: row.subjectRef } : {}),
      });
    });
    await this.notify('verification.revoked', id);
    const tokens = this.secrets.openTokens(row);
    if (tokens !== undefined) {
      await this.bankClient.revoke(row.bankId, tokens.refresh_token ?? tokens.access_token).catch((err: unknown) => {
        this.logger.warn({ verification_id: id, err: err instanceof Error ? err.message : 'unknown' }, 'bank revocation failed');
      });
    }
  }

  /** Tells the enterprise that its verification changed, with the verification's current view. */
  async notify(type: WebhookType, id: string): Promise<Verification | undefined> {
    const row = await this.prisma.verification.findUnique({ where: { id } });
    if (row !== null) await this.webhooks.emit(row.enterpriseId, type, verificationView(row));
    return row ?? undefined;
  }

  private createdView(row: Verification): CreatedVerification {
    return { ...verificationView(row), authorization_url: `${this.config.publicUrl}/v1/verifications/${row.id}/authorize` };
  }

  private async replay(enterpriseId: string, key: string, requestHash: string): Promise<CreatedVerification | undefined> {
    const record = await this.prisma.idempotencyRecord.findUnique({ where: { enterpriseId_key: { enterpriseId, key } } });
    if (record === null) return undefined;
    if (record.requestHash !== requestHash) {
      throw new ProblemError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used with a different request body.');
    }
    return record.response as unknown as CreatedVerification;
  }
}
