import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { inject } from 'vitest';
import { loadBankConfig } from '@kyc/mock-bank-kit';
import { loadBrokerConfig, PrismaService, type BrokerConfig } from '@kyc/platform';
import { createBankAApp } from '../../../mock-bank-a/src/app.js';
import { createBankBApp } from '../../../mock-bank-b/src/app.js';
import { createBrokerApp } from '../../src/app.js';
import type { BrokerAppOptions } from '../../src/app.module.js';
import { seed } from '../../../../prisma/seed.js';

/** The stack's ports; E2E_PORT_OFFSET shifts them (to run one file beside another suite). */
const OFFSET = Number(process.env['E2E_PORT_OFFSET'] ?? '0');
export const PORTS = { broker: 13000 + OFFSET, bankA: 14001 + OFFSET, bankB: 14002 + OFFSET } as const;
import { BOOTSTRAP_KEY } from './bootstrap-key.js';

export { BOOTSTRAP_KEY };

export interface Stack {
  readonly broker: string;
  readonly bankA: string;
  readonly bankB: string;
  readonly config: BrokerConfig;
  /** The environment the stack was configured from (to start more banks alike). */
  readonly env: Record<string, string | undefined>;
  readonly prisma: PrismaService;
  /** The broker instances started so far (the first, then those of addBroker). */
  readonly brokers: INestApplication[];
  /**
   * Starts another broker instance on `port`, sharing the database and Redis, its config changed by
   * `overrides` if given; answers its URL.
   */
  addBroker(port: number, overrides?: Partial<BrokerConfig>): Promise<string>;
  /** Stops one broker instance (as a restart's first half). */
  stopBroker(app: INestApplication): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real stack in-process: both banks and the broker over HTTP, on the test database and Redis.
 * `app` adds modules to the broker (e.g. a test-only bank adapter).
 */
export async function startStack(overrides: Record<string, string> = {}, app: BrokerAppOptions = {}): Promise<Stack> {
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    // Info logs of every broker into the run's log folder, scanned for personal data and secrets at the end.
    LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
    LOG_FILE: path.join(inject('logDir'), `broker-${randomUUID()}.log`),
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/15',
    BROKER_PORT: String(PORTS.broker),
    BROKER_PUBLIC_URL: `http://127.0.0.1:${PORTS.broker}`,
    BANK_A_PORT: String(PORTS.bankA),
    BANK_B_PORT: String(PORTS.bankB),
    BANK_CONTROL: '1',
    WEBHOOK_ALLOW_LOOPBACK: '1',
    // Every test is one client address with one operator key; the tests of these limits lower them.
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
    STAFF_RATE_LIMIT_RPS: '100000',
    AUTH_FAILURE_LIMIT_PER_MINUTE: '100000',
    OPERATOR_BOOTSTRAP_KEY: BOOTSTRAP_KEY,
    BANK_TIMEOUT_MS: '3000',
    SWEEP_INTERVAL_MS: '200',
    BANK_A_WITNESS_STATE_DIR: `${inject('witnessStateDir')}/bank-a`,
    BANK_B_WITNESS_STATE_DIR: `${inject('witnessStateDir')}/bank-b`,
    ...overrides,
  };
  const config = loadBrokerConfig(env);
  const apps: INestApplication[] = [];
  const bankA = await createBankAApp(loadBankConfig('a', env));
  await bankA.listen(PORTS.bankA, '127.0.0.1');
  apps.push(bankA);
  const bankB = await createBankBApp(loadBankConfig('b', env));
  await bankB.listen(PORTS.bankB, '127.0.0.1');
  apps.push(bankB);
  const prisma = new PrismaService(config);
  await seed(prisma, config, { demo: false, keysDir: config.keysDir, env });
  const broker = await createBrokerApp(config, app);
  await broker.listen(PORTS.broker, '127.0.0.1');
  apps.push(broker);
  const brokers: INestApplication[] = [broker];
  return {
    brokers,
    broker: `http://127.0.0.1:${PORTS.broker}`,
    bankA: `http://127.0.0.1:${PORTS.bankA}`,
    bankB: `http://127.0.0.1:${PORTS.bankB}`,
    config,
    env,
    prisma,
    async addBroker(port: number, overrides: Partial<BrokerConfig> = {}) {
      const extra = await createBrokerApp({ ...config, ...overrides }, app);
      await extra.listen(port, '127.0.0.1');
      apps.push(extra);
      brokers.push(extra);
      return `http://127.0.0.1:${port}`;
    },
    async stopBroker(app: INestApplication) {
      (app.getHttpServer() as { closeAllConnections?: () => void }).closeAllConnections?.();
      await app.close();
      apps.splice(apps.indexOf(app), 1);
      brokers.splice(brokers.indexOf(app), 1);
    },
    async close() {
      for (const app of apps.reverse()) {
        // Keep-alive sockets of the test's fetch would hold server.close() open; end them first.
        (app.getHttpServer() as { closeAllConnections?: () => void }).closeAllConnections?.();
        // A teardown that hangs is reported, not allowed to eat the hook timeout; the test process
        // exits after the file anyway.
        await withinSeconds(10, app.close(), 'closing an app').catch((err: unknown) => {
          console.warn(`stack teardown: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
      await withinSeconds(10, prisma.$disconnect(), 'disconnecting the test database client').catch((err: unknown) => {
        console.warn(`stack teardown: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
  };
}

async function withinSeconds<T>(seconds: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${seconds} s`)), seconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
