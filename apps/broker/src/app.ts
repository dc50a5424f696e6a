import 'reflect-metadata';
import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { BrokerConfig } from '@kyc/platform';
import { AppModule, type BrokerAppOptions } from './app.module.js';

/**
 * Express with the HTTP server made by us, for the options Node takes only at creation: a client
 * that sends its headers or body too slowly (slow-loris) or idles on a kept-alive connection is cut
 * off, checked every second.
 */
class TimedExpressAdapter extends ExpressAdapter {
  constructor(private readonly limits: BrokerConfig['http']) {
    super();
  }

  override initHttpServer(): void {
    this.httpServer = createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        keepAliveTimeout: this.limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: 1_000,
      },
      this.getInstance(),
    );
  }
}

/** Builds the broker application (not listening yet); main.ts and the end-to-end tests both use it. */
export async function createBrokerApp(config: BrokerConfig, options: BrokerAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), new TimedExpressAdapter(config.http), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // An API and redirects only: no content to frame, sniff or cache.
  app.use(helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  app.disable('x-powered-by');
  // Answers are per-key API data, never revalidated by caches: no ETag (which would hash every body).
  app.set('etag', false);
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  // No shutdown hooks: main.ts drains the server first and closes the app after (health/lifecycle.ts).
  return app;
}
