import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const lib = (name: string): string => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

const alias = {
  '@kyc/platform': lib('platform'),
  '@kyc/common-schema': lib('common-schema'),
  '@kyc/bank-adapters': lib('bank-adapters'),
  '@kyc/identity-normalize': lib('identity-normalize'),
  '@kyc/ledger': lib('ledger'),
  '@kyc/mock-bank-kit': lib('mock-bank-kit'),
};

// Nest's dependency injection reads constructor parameter types from decorator metadata.
const oxc = { decorator: { legacy: true, emitDecoratorMetadata: true } };

export default defineConfig({
  oxc,
  resolve: { alias },
  test: {
    projects: [
      {
        oxc,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'apps/*/test/support/**/*.spec.ts', 'scripts/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        oxc,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['apps/*/test/**/*.e2e-spec.ts'],
          environment: 'node',
          globalSetup: ['apps/broker/test/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
