import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export const LEDGER_ENTRY_TYPES = [
  'consent.granted',
  'consent.denied',
  'consent.failed',
  'identity.released',
  'match.released',
  'release.failed',
  'verification.revoked',
] as const;

export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];
export type LedgerOutcome = 'ok' | 'denied' | 'failed';

/**
 * One distribution-history entry (SPEC §8). No personal data: the subject appears only as a keyed
 * hash, claims only by name, values only as salted commitments. Absent values are left out.
 */
export interface LedgerEntry {
  seq: number;
  type: LedgerEntryType;
  occurred_at: string;
  enterprise_id: string;
  bank_id: string;
  verification_id: string;
  purpose: string;
  outcome: LedgerOutcome;
  request_id: string;
  subject_ref?: string;
  claims?: string[];
  verification_process?: string;
  commitments?: Record<string, string>;
  error_code?: string;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'seq'>;

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ canonical JSON of the entry), lowercase hex. */
export function leafHash(entry: LedgerEntry): string {
  return leafHashOfText(canonicalJson(entry));
}

/** The leaf hash of an entry already in its canonical JSON form. */
export function leafHashOfText(canonical: string): string {
  return createHash('sha256').update(LEAF_PREFIX).update(canonical, 'utf8').digest('hex');
}

const LEAF_PREFIX = Buffer.from([0]);

/** RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(leftHex: string, rightHex: string): string {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(Buffer.from(leftHex, 'hex'))
    .update(Buffer.from(rightHex, 'hex'))
    .digest('hex');
}

/** Drops undefined members, so an absent value is absent from the canonical form (never null). */
export function compactEntry(entry: LedgerEntry): LedgerEntry {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as LedgerEntry;
}
