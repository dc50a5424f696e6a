import type { BankId } from '../config/bank-config.js';
import type { BankCustomer } from '../persons/person.js';

export interface BankBranding {
  readonly name: string;
  readonly nameJa: string;
  /** Main colour of the bank's pages (CSS colour). */
  readonly colour: string;
}

/** What differs between the mock banks; everything else lives in the kit. */
export interface BankDefinition {
  readonly id: BankId;
  readonly branding: BankBranding;
  /** The resource-server scope the broker requests next to `openid`. */
  readonly scope: string;
  /** Path of the KYC API root; `${issuer}${resourcePath}` is the resource indicator and token audience. */
  readonly resourcePath: string;
  /** Prefix of the bank's oidc-provider cookie names (both banks share 127.0.0.1 cookies). */
  readonly cookiePrefix: string;
  readonly customers: readonly BankCustomer[];
  /** Exactly the JSON the KYC API returns for this customer when every field is requested and consented. */
  fullRecord(customer: BankCustomer): unknown;
}

/** The bank's customers by username (the ID Token `sub`). */
export class CustomerDirectory {
  private readonly byUsername: ReadonlyMap<string, BankCustomer>;

  constructor(readonly customers: readonly BankCustomer[]) {
    this.byUsername = new Map(customers.map((c) => [c.username, c]));
  }

  find(username: string): BankCustomer | undefined {
    return this.byUsername.get(username);
  }

  get size(): number {
    return this.customers.length;
  }
}
