import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { BrokerConfig } from '@kyc/platform';
import { AppModule, type BrokerAppOptions } from './app.module.js';

/** Builds the broker application (not listening yet); main.ts and the end-to-end tests both use it. */
export async function createBrokerApp(config: BrokerConfig, options: BrokerAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
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
  app.enableShutdownHooks();
  return app;
}
