import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { BankAdapter } from '@kyc/bank-adapters';

const TOKEN_PREFIX = 'kyc:bank-adapter:';

/** The injection token under which an adapter of `kind` is registered. */
export const bankAdapterToken = (kind: string): string => `${TOKEN_PREFIX}${kind}`;

export const isBankAdapterToken = (token: unknown): boolean => typeof token === 'string' && token.startsWith(TOKEN_PREFIX);

export function bankAdapterProviders(adapters: readonly BankAdapter[]): Provider[] {
  return adapters.map((adapter) => ({ provide: bankAdapterToken(adapter.kind), useValue: adapter }));
}

@Module({})
export class BankAdapterSet {}

/**
 * A module that only registers bank adapters; the broker finds every registered adapter at start, so
 * an installation (or a test) adds adapters by importing one of these, without touching the others.
 */
export function bankAdaptersModule(adapters: readonly BankAdapter[]): DynamicModule {
  return { module: BankAdapterSet, providers: bankAdapterProviders(adapters) };
}
