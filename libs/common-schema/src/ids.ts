import { randomBytes } from 'node:crypto';

export const ID_PREFIXES = {
  enterprise: 'ent',
  contract: 'ctr',
  verification: 'ver',
  apiKey: 'key',
  event: 'evt',
  revocation: 'rvk',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** An unguessable, prefixed id: 128 random bits in hex. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBytes(16).toString('hex')}`;
}

const ID_PATTERN = /^[a-z]{3}_[0-9a-f]{32}$/;

/** Whether `value` is a well-formed id of that kind (malformed ids are answered 404, like unknown ones). */
export function isId(kind: IdKind, value: string): boolean {
  return ID_PATTERN.test(value) && value.startsWith(`${ID_PREFIXES[kind]}_`);
}

export const BANK_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;
