import type { Server } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from '@kyc/platform';

/** Whether this instance is draining: unready, taking no new work, finishing what it has. */
@Injectable()
export class Lifecycle {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  startDraining(): void {
    this.drainingSince ??= Date.now();
  }
}

/**
 * While draining, a request that arrives on a kept-alive connection is answered 503 with
 * `Connection: close` (the client retries elsewhere), except the probes, which say so themselves.
 */
@Injectable()
export class DrainMiddleware implements NestMiddleware {
  constructor(private readonly lifecycle: Lifecycle) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    if (!this.lifecycle.draining || req.path === '/readyz' || req.path === '/healthz') {
      next();
      return;
    }
    throw new ProblemError('DEPENDENCY_UNAVAILABLE', 'This instance is shutting down; retry.', { retryAfterSeconds: 1, headers: { Connection: 'close' } });
  }
}

/**
 * Graceful shutdown (SIGTERM): unready at once, no new connections, in-flight requests finished
 * within `deadlineMs` (then cut), and only then the application closed — the ledger appender
 * writes what it holds, queues and pools close — so no request loses its pool midway.
 */
export async function drainAndClose(app: INestApplication, deadlineMs: number): Promise<void> {
  app.get(Lifecycle).startDraining();
  const server = app.getHttpServer() as Server;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, deadlineMs);
  });
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  await app.close();
}
