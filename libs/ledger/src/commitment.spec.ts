import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitment, newSalt } from './commitment.js';
import { compactEntry, leafHash, nodeHash, type LedgerEntry } from './entry.js';

describe(commitment.name, () => {
  it('is the SHA-256 of the canonical JSON array [salt, name, value]', () => {
    const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
    const value = { region: '東京都', postal_code: '100-0001' };
    const expected = createHash('sha256')
      .update(`["${salt}","address",{"postal_code":"100-0001","region":"東京都"}]`, 'utf8')
      .digest('hex');
    expect(commitment(salt, 'address', value)).toBe(expected);
  });

  it('changes with the salt and with the value', () => {
    const salt = newSalt();
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(commitment(salt, 'family_name', '山田')).not.toBe(commitment(newSalt(), 'family_name', '山田'));
    expect(commitment(salt, 'family_name', '山田')).not.toBe(commitment(salt, 'family_name', '山本'));
  });
});

describe(leafHash.name, () => {
  const entry: LedgerEntry = {
    seq: 0,
    type: 'consent.granted',
    occurred_at: '2026-11-23T06:04:05.123Z',
    enterprise_id: 'ent_x',
    bank_id: 'bank-a',
    verification_id: 'ver_x',
    purpose: 'account_opening',
    outcome: 'ok',
    request_id: 'req-12345678',
  };

  it('hashes 0x00 followed by the canonical JSON, independent of member order', () => {
    const reordered = Object.fromEntries(Object.entries(entry).reverse()) as unknown as LedgerEntry;
    expect(leafHash(reordered)).toBe(leafHash(entry));
    expect(leafHash(entry)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves absent values out instead of writing null', () => {
    const withUndefined = { ...entry, subject_ref: undefined } as LedgerEntry;
    expect(Object.keys(compactEntry(withUndefined))).not.toContain('subject_ref');
  });

  it('separates leaves from nodes', () => {
    const h = leafHash(entry);
    expect(nodeHash(h, h)).not.toBe(h);
  });
});
