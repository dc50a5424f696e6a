import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { destination } from 'pino';
import type { Options } from 'pino-http';
import { requestIdOf } from '../http/request-id.js';

/**
 * Request logs carry method, path (never the query: callbacks carry codes and state), status,
 * timing and the request id. No headers, no bodies: personal data and secrets stay out.
 */
export function loggerParams(level: string, file?: string): Params {
  const options: Options = {
    level,
    genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: (req.url ?? '').split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    redact: { paths: ['req.headers', 'res.headers', '*.authorization', '*.password', '*.token'], remove: true },
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
    quietReqLogger: true,
  };
  // LOG_FILE: appended to (synchronously, so nothing is lost at exit) instead of stdout.
  return { pinoHttp: file === undefined ? options : [options, destination({ dest: file, sync: true, mkdir: true })] };
}
