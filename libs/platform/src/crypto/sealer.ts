import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/** `v1.<iv>.<body>`: the first format, without a key id (opened with every configured key). */
const LEGACY = 'v1';
/** `v2.<key id>.<iv>.<body>`: the key id names the key that sealed it, so the key can rotate. */
const VERSION = 'v2';

/** A key's id: the first 8 bytes of its SHA-256, base64url. Names the key without revealing it. */
export function sealingKeyId(key: Buffer): string {
  return createHash('sha256').update('kyc-broker/sealing-key-id/v1').update(key).digest().subarray(0, 8).toString('base64url');
}

/**
 * AES-256-GCM for data at rest (bank tokens, applicant data, webhook secrets). The `context`
 * (e.g. `tokens:ver_…`) is bound as associated data, so a sealed value copied to another row or
 * purpose does not open. New values are sealed with the current key and carry its id; values
 * sealed with a previous key (still configured) open by their id, so the key rotates without a
 * migration (docs/adr/0003-bank-token-protection.md).
 */
export class Sealer {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly keyId: string;

  constructor(
    private readonly key: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const k of [key, ...previous]) if (k.length !== 32) throw new Error('the sealing key must be 32 bytes');
    this.keyId = sealingKeyId(key);
    this.keys = new Map([...previous.map((k) => [sealingKeyId(k), k] as const), [this.keyId, key]]);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${this.keyId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts[0] === VERSION && parts.length === 4) {
      const [, kid = '', iv = '', body = ''] = parts;
      const key = this.keys.get(kid);
      if (key === undefined) throw new Error(`sealed with a key that is not configured (key id ${kid})`);
      return decrypt(key, iv, body, context);
    }
    if (parts[0] === LEGACY && parts.length === 3) {
      const [, iv = '', body = ''] = parts;
      // No key id: the current key first, then the previous ones (GCM's tag tells the right one).
      for (const key of [this.key, ...[...this.keys.values()].filter((k) => k !== this.key)]) {
        try {
          return decrypt(key, iv, body, context);
        } catch {
          // not this key
        }
      }
      throw new Error('a sealed value that no configured key opens');
    }
    throw new Error('not a sealed value');
  }

  sealJson(value: unknown, context: string): string {
    return this.seal(JSON.stringify(value), context);
  }

  openJson(sealed: string, context: string): unknown {
    return JSON.parse(this.open(sealed, context)) as unknown;
  }
}

function decrypt(key: Buffer, ivPart: string, bodyPart: string, context: string): string {
  if (ivPart === '' || bodyPart === '') throw new Error('not a sealed value');
  const body = Buffer.from(bodyPart, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivPart, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
}

/** Keyed hash with domain separation: `purpose` keeps one use's digests useless for another. */
export function keyedHash(key: Buffer, purpose: string, ...parts: string[]): Buffer {
  const mac = createHmac('sha256', key);
  mac.update(purpose);
  for (const part of parts) {
    mac.update('\u0000');
    mac.update(part);
  }
  return mac.digest();
}
