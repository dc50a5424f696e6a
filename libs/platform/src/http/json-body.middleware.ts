import { Injectable, type NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ProblemError } from '../errors/problem.js';

export const JSON_BODY_LIMIT = '64kb';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const parseJson = express.json({ limit: JSON_BODY_LIMIT, strict: true, type: () => true });

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Parses JSON bodies inside Nest's pipeline, so that malformed (400), oversize (413) and non-JSON
 * (415) bodies reach the one problem filter instead of Express's HTML error page.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!METHODS_WITH_BODY.has(req.method) || !hasBody(req)) {
      next();
      return;
    }
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new ProblemError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    }
    await new Promise<void>((resolve, reject) => {
      parseJson(req, res, (err?: unknown) => (err === undefined || err === null ? resolve() : reject(err instanceof Error ? err : new Error('body parsing failed'))));
    });
    next();
  }
}
