import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BANK_RUNTIME, resourceRequestOf, type BankRuntime, type KycOutcome } from '@kyc/mock-bank-kit';
import { filterBankARecord, KYC_NOT_VERIFIED, malformBankARecord, renderBankARecord, type BankAError } from './bank-a-record.js';

function send(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status).set({ 'Cache-Control': 'no-store', ...headers }).json(body);
}

const error = (errorCode: string, message: string): BankAError => ({ errorCode, message });

/** Kaede Bank's proprietary KYC API (SPEC §6). */
@Controller('api/kyc/v1')
export class KycController {
  constructor(@Inject(BANK_RUNTIME) private readonly runtime: BankRuntime) {}

  @Get('customer')
  async customer(@Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.runtime.handleKycCall(resourceRequestOf(req));
    this.respond(res, outcome);
  }

  private respond(res: Response, outcome: KycOutcome): void {
    switch (outcome.kind) {
      case 'maintenance':
        return send(res, 503, error('MAINTENANCE', 'Kaede Bank is under maintenance.'), { 'Retry-After': String(outcome.retryAfterSeconds) });
      case 'rate_limited':
        return send(res, 429, error('RATE_LIMITED', 'Too many requests.'), { 'Retry-After': String(outcome.retryAfterSeconds) });
      case 'unauthorized':
        return send(res, outcome.error.status, error(outcome.error.status === 403 ? 'INSUFFICIENT_SCOPE' : 'INVALID_TOKEN', outcome.error.description), {
          'WWW-Authenticate': outcome.error.wwwAuthenticate,
        });
      case 'internal_error':
        return send(res, 500, error('INTERNAL_ERROR', 'An internal error occurred.'));
      case 'customer_not_found':
        return send(res, 404, error('CUSTOMER_NOT_FOUND', 'The customer does not exist.'));
      case 'ok': {
        if (!outcome.customer.person.kyc.verified) return send(res, 403, KYC_NOT_VERIFIED);
        const record = filterBankARecord(renderBankARecord(outcome.customer), outcome.release.claims);
        return send(res, 200, outcome.malformed ? malformBankARecord(record) : record);
      }
    }
  }
}
