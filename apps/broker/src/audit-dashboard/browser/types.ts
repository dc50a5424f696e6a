// The shapes the dashboard reads from the auditor API (SPEC §8). Declared here rather than imported
// from @kyc/ledger, whose modules are Node code: the browser bundle and its type check stay DOM-only.

import type { EntryColumn } from '../dashboard.constants.js';

/** An RFC 9457 problem, as the API answers errors (any member may be absent). */
export interface Problem {
  title?: string;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
}

type EntryMember<K extends EntryColumn> = K extends 'seq' ? number : K extends 'claims' ? string[] : string;

/** A ledger entry as listed (LedgerEntry); the table shows the members named by ENTRY_COLUMNS. */
export type EntryView = { readonly seq: number } & { readonly [K in Exclude<EntryColumn, 'seq'>]?: EntryMember<K> };

export interface EntryPage {
  data: { entry: EntryView; leaf_hash: string }[];
  next_cursor: string | null;
}

export interface StatsRow {
  day: string;
  bank_id: string;
  enterprise_id: string;
  outcome: string;
  count: number;
}

export interface StatsPage {
  data: StatsRow[];
}

/** A signed tree head. */
export interface Checkpoint {
  tree_size: number;
  root_hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
}

export interface Jwks {
  keys?: { kty?: string; crv?: string; kid?: string; x?: string }[];
}
