import { Module, type DynamicModule, type INestApplication, type Provider as NestProvider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { BankConfig } from '../config/bank-config.js';
import { ControlController } from '../control/control.controller.js';
import { isProviderPath } from '../oidc/bank-provider.js';
import { InteractionController } from '../oidc/interaction.controller.js';
import { isWitnessPath, witnessHandler } from '../witness/witness-http.js';
import type { BankDefinition } from './bank-definition.js';
import { BANK_RUNTIME, BankRuntime } from './bank-runtime.js';

@Module({})
export class MockBankKitModule {
  static register(runtime: BankRuntime): DynamicModule {
    return {
      module: MockBankKitModule,
      global: true,
      controllers: [InteractionController, ControlController],
      providers: [{ provide: BANK_RUNTIME, useValue: runtime }],
      exports: [BANK_RUNTIME],
    };
  }
}

@Module({})
class MockBankRootModule {}

export interface BankAppParts {
  /** The bank's own KYC API controllers. */
  readonly controllers: Type[];
  /** e.g. the bank's error-format filter as APP_FILTER. */
  readonly providers?: NestProvider[];
}

/**
 * Builds (does not start) a mock bank: the Nest app with the bank's KYC API, the kit's interaction
 * and control routes, oidc-provider answering its own paths, and the ledger witness under /witness.
 * Start it with `app.listen(config.port, '127.0.0.1')`.
 */
export async function createBankApp(config: BankConfig, bank: BankDefinition, parts: BankAppParts): Promise<INestApplication> {
  const runtime = new BankRuntime(config, bank);
  const root: DynamicModule = {
    module: MockBankRootModule,
    imports: [MockBankKitModule.register(runtime)],
    controllers: parts.controllers,
    providers: parts.providers ?? [],
  };
  const app = await NestFactory.create<NestExpressApplication>(root, { logger: ['error', 'warn'] });
  app.disable('x-powered-by');
  const callback = runtime.provider.callback();
  const witness = witnessHandler(runtime.witness);
  // Registered before Nest's body parsers and routes: the provider and the witness read their own
  // request bodies.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (isProviderPath(req.path)) {
      void callback(req, res);
      return;
    }
    if (isWitnessPath(req.path)) {
      void witness(req, res);
      return;
    }
    next();
  });
  await app.init();
  return app;
}
