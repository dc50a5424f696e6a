// Shared by the server-side markup (dashboard.assets.ts) and the browser bundle (browser/): data only,
// no imports, so esbuild can bundle it for the browser without pulling in any Node code.

/** The table's columns, in order; the script renders one `td[data-col]` per name. */
export const ENTRY_COLUMNS = ['seq', 'occurred_at', 'type', 'outcome', 'enterprise_id', 'bank_id', 'verification_id', 'purpose', 'claims', 'error_code'] as const;

export type EntryColumn = (typeof ENTRY_COLUMNS)[number];

/** A ledger entry's outcomes (`LedgerOutcome` in @kyc/ledger), in the order the chart stacks them. */
export const OUTCOMES = ['ok', 'denied', 'failed'] as const;

export type Outcome = (typeof OUTCOMES)[number];
