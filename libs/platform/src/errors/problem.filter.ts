import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import type { Request, Response } from 'express';
import { ZodError } from 'zod';
import { requestIdOf } from '../http/request-id.js';
import { ProblemError, problemBody, type ProblemCode } from './problem.js';

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string' && 'expose' in e;
}

const BODY_PARSER_CODES: Record<string, [ProblemCode, string]> = {
  'entity.parse.failed': ['VALIDATION_FAILED', 'The request body is not valid JSON.'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'The request body exceeds the 64 KiB limit.'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported.'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body charset is not supported.'],
  'request.aborted': ['VALIDATION_FAILED', 'The request body was not received completely.'],
  'request.size.invalid': ['VALIDATION_FAILED', 'The request body length does not match Content-Length.'],
};

const HTTP_CODES: Partial<Record<number, ProblemCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Turns anything thrown into an RFC 9457 problem; internals go to the log with the request id, never out. */
export function toProblem(exception: unknown): ProblemError {
  if (exception instanceof ProblemError) return exception;
  if (exception instanceof ZodError) {
    return new ProblemError('VALIDATION_FAILED', 'The request is not valid.', {
      errors: exception.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    });
  }
  if (isBodyParserError(exception)) {
    const known = BODY_PARSER_CODES[exception.type];
    if (known) return new ProblemError(known[0], known[1]);
  }
  if (exception instanceof HttpException) {
    const code = HTTP_CODES[exception.getStatus()];
    if (code) {
      const detail = code === 'NOT_FOUND' ? 'No such resource.' : exception.message;
      return new ProblemError(code, detail);
    }
  }
  if (isDependencyFailure(exception)) {
    return new ProblemError('DEPENDENCY_UNAVAILABLE', 'A service dependency is unavailable; retry shortly.', {
      retryAfterSeconds: 1,
      cause: exception,
    });
  }
  return new ProblemError('INTERNAL', 'An internal error occurred.', { cause: exception });
}

/**
 * Prisma codes that mean the database is unreachable or too slow, not that the request was wrong:
 * unreachable (P1001), timed out (P1002, P1008), connection closed (P1017), no pool connection in time
 * (P2024), a transaction that could not start or ran out of time (P2028).
 */
const DEPENDENCY_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

/**
 * Postgres SQLSTATE classes of an unavailable database, whether node-postgres raised them or Prisma's
 * driver adapter wrapped them: connection exceptions (08), insufficient resources such as too many
 * connections (53), operator intervention such as a shutdown or restart (57P), and a statement or
 * lock timeout (57014, 55P03).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)|^57014$|^55P03$/;

function sqlStates(e: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    const record = v as Record<string, unknown>;
    for (const key of ['code', 'originalCode']) {
      const code = record[key];
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) out.push(code);
    }
    visit(record['cause'], depth + 1);
    visit(record['meta'], depth + 1);
    visit(record['driverAdapterError'], depth + 1);
  };
  visit(e, 0);
  return out;
}

function isDependencyFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const name = e.constructor.name;
  if (name === 'PrismaClientInitializationError') return true;
  if (name === 'PrismaClientKnownRequestError') {
    const code = (e as Error & { code?: string }).code;
    if (code !== undefined && DEPENDENCY_CODES.has(code)) return true;
  }
  if (name === 'MaxRetriesPerRequestError') return true;
  if (sqlStates(e).some((state) => UNAVAILABLE_SQLSTATE.test(state))) return true;
  const msg = e.message;
  return /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down|in recovery mode)/i.test(msg);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = toProblem(exception);
    const requestId = requestIdOf(req, res);
    this.metrics.problems.inc({ code: problem.code });
    if (problem.status >= 500) {
      this.logger.error({ request_id: requestId, code: problem.code, err: problem.cause ?? problem }, 'request failed');
    }
    if (res.headersSent) return;
    // Every 503 says when to come back: a dependency or a bank is away for now, not for good.
    const retryAfter = problem.retryAfterSeconds ?? (problem.status === 503 ? 1 : undefined);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    const instance = (req.originalUrl ?? req.url ?? '/').split('?')[0] ?? '/';
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problemBody(problem, instance, requestId)));
  }
}
