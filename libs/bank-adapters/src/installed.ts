import type { BankAdapter } from './bank-adapter.js';
import { KaedeBankAdapter } from './bank-a/kaede-bank.adapter.js';
import { TsubameBankAdapter } from './bank-b/tsubame-bank.adapter.js';

/** Every adapter this build carries; a bank row selects one by its `adapter` value. */
export function installedBankAdapters(): BankAdapter[] {
  return [new KaedeBankAdapter(), new TsubameBankAdapter()];
}
