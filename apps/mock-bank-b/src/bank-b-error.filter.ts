import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { bankBError, RESULT_CODES } from './inquiry/bank-b-record.js';

/** Tsubame Bank answers transport-level errors (404, malformed JSON, ...) in its header style too. */
@Catch()
export class BankBErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const message = exception instanceof HttpException && status < 500 ? exception.message : 'システムエラーが発生しました。';
    const code = status >= 500 ? RESULT_CODES.INTERNAL_ERROR : RESULT_CODES.BAD_REQUEST;
    res.status(status).json(bankBError(undefined, code, message));
  }
}
