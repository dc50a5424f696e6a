import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

const CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Kaede Bank answers every error as `{errorCode, message}` with a proper HTTP status. */
@Catch()
export class BankAErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('BankErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    // Only the error's own text and stack: bank code never puts customer data into exceptions.
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : 'non-Error exception');
    if (res.headersSent) return;
    const message = exception instanceof HttpException && status < 500 ? exception.message : 'An internal error occurred.';
    res.status(status).json({ errorCode: CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'), message });
  }
}
