import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { BANK_RUNTIME, resourceRequestOf, type BankRuntime, type KycOutcome } from '@kyc/mock-bank-kit';
import {
  bankBError, filterBankBBody, INQUIRY_FIELDS, inquiryIdFor, KYC_NOT_VERIFIED_MESSAGE, malformBankBBody, renderBankBBody, RESULT_CODES,
  type BankBResponse,
} from './bank-b-record.js';

const inquirySchema = z.strictObject({
  fields: z
    .array(z.enum(INQUIRY_FIELDS))
    .min(1)
    .refine((fields) => new Set(fields).size === fields.length, { message: 'fields must be unique' }),
});

function send(res: Response, status: number, body: BankBResponse, headers: Record<string, string> = {}): void {
  res.status(status).set({ 'Cache-Control': 'no-store', ...headers }).json(body);
}

/** Tsubame Bank's identity inquiry API (SPEC §6): business errors are HTTP 200 with header.resultCode. */
@Controller('openapi/v2/identity')
export class InquiryController {
  constructor(@Inject(BANK_RUNTIME) private readonly runtime: BankRuntime) {}

  @Post('inquiry')
  async inquiry(@Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.runtime.handleKycCall(resourceRequestOf(req));
    this.respond(req, res, outcome);
  }

  private respond(req: Request, res: Response, outcome: KycOutcome): void {
    switch (outcome.kind) {
      case 'maintenance':
        return send(res, 200, bankBError(undefined, RESULT_CODES.MAINTENANCE, 'ただいまメンテナンス中です。', outcome.retryAfterSeconds));
      case 'rate_limited':
        return send(res, 200, bankBError(undefined, RESULT_CODES.TOO_MANY_REQUESTS, 'リクエストが多すぎます。', outcome.retryAfterSeconds));
      case 'unauthorized': {
        const code = outcome.error.status === 403 ? RESULT_CODES.INSUFFICIENT_SCOPE : RESULT_CODES.INVALID_TOKEN;
        return send(res, outcome.error.status, bankBError(undefined, code, outcome.error.description), {
          'WWW-Authenticate': outcome.error.wwwAuthenticate,
        });
      }
      case 'internal_error':
        return send(res, 200, bankBError(undefined, RESULT_CODES.INTERNAL_ERROR, 'システムエラーが発生しました。'));
      case 'customer_not_found':
        return send(res, 200, bankBError(undefined, RESULT_CODES.CUSTOMER_NOT_FOUND, 'お客さまが見つかりません。'));
      case 'ok':
        return this.answer(req, res, outcome);
    }
  }

  private answer(req: Request, res: Response, outcome: Extract<KycOutcome, { kind: 'ok' }>): void {
    const { username, person } = outcome.customer;
    const request = inquirySchema.safeParse(req.body);
    if (!request.success) {
      return send(res, 200, bankBError(username, RESULT_CODES.BAD_REQUEST, 'fields は NAME, KANA, DOB, ADDR, KYC から重複なく指定してください。'));
    }
    if (!person.kyc.verified) return send(res, 200, bankBError(username, RESULT_CODES.KYC_NOT_VERIFIED, KYC_NOT_VERIFIED_MESSAGE));
    const body = filterBankBBody(renderBankBBody(outcome.customer), request.data.fields, outcome.release.claims);
    send(res, 200, {
      header: { resultCode: RESULT_CODES.OK, inquiryId: inquiryIdFor(username) },
      body: outcome.malformed ? malformBankBBody(body) : body,
    });
  }
}
