import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { applicantSchema, type Applicant } from '@kyc/common-schema';
import { Sealer, type Verification } from '@kyc/platform';

/** The bank tokens a verification holds while it is authorized. */
export interface BankTokenSet {
  readonly access_token: string;
  readonly refresh_token?: string;
}

const tokensSchema = z.strictObject({ access_token: z.string(), refresh_token: z.string().optional() });

/**
 * The one place that seals and opens what a verification keeps secret: the bank tokens and the
 * applicant data to match. Each is sealed under a context naming the verification, so a sealed value
 * copied to another row does not open.
 */
@Injectable()
export class VerificationSecrets {
  constructor(private readonly sealer: Sealer) {}

  sealTokens(verificationId: string, tokens: BankTokenSet): string {
    return this.sealer.sealJson(tokens, tokensContext(verificationId));
  }

  /** The row's bank tokens; undefined once they were dropped (expired, revoked). */
  openTokens(row: Verification): BankTokenSet | undefined {
    if (row.tokensSealed === null) return undefined;
    return tokensSchema.parse(this.sealer.openJson(row.tokensSealed, tokensContext(row.id)));
  }

  sealApplicant(verificationId: string, applicant: Applicant): string {
    return this.sealer.sealJson(applicant, applicantContext(verificationId));
  }

  /** The applicant data the enterprise sent to match; undefined when it sent none. */
  openApplicant(row: Verification): Applicant | undefined {
    if (row.applicantSealed === null) return undefined;
    return applicantSchema.parse(this.sealer.openJson(row.applicantSealed, applicantContext(row.id)));
  }
}

const tokensContext = (id: string): string => `tokens:${id}`;
const applicantContext = (id: string): string => `applicant:${id}`;
