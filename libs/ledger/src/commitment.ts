import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** A fresh disclosure salt: 16 random bytes, base64url. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * SPEC §5: hex SHA-256 of the UTF-8 RFC 8785 canonical JSON of `[salt, claim_name, value]`, with
 * `value` exactly as released. Whoever holds the value and its salt can recompute it.
 */
export function commitment(salt: string, claimName: string, value: unknown): string {
  return createHash('sha256').update(canonicalJson([salt, claimName, value]), 'utf8').digest('hex');
}
