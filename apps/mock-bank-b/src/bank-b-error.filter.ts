import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { bankBError, RESULT_CODES } from './inquiry/bank-b-record.js';

/** Tsubame Bank answers transport-level errors (404, malformed JSON, ...) in its header style too. */
@Catch()
export class BankBErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('BankErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    // Only the error's own text and stack: bank code never puts customer data into exceptions.
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : 'non-Error exception');
    if (res.headersSent) return;
    const message = exception instanceof HttpException && status < 500 ? exception.message : 'システムエラーが発生しました。';
    const code = status >= 500 ? RESULT_CODES.INTERNAL_ERROR : RESULT_CODES.BAD_REQUEST;
    res.status(status).json(bankBError(undefined, code, message));
  }
}
