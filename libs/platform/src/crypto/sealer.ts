import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for data at rest (bank tokens, applicant data, webhook secrets). The `context`
 * (e.g. `tokens:ver_…`) is bound as associated data, so a sealed value copied to another row or
 * purpose does not open.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the sealing key must be 32 bytes');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const [version, ivPart, bodyPart] = sealed.split('.');
    if (version !== VERSION || !ivPart || !bodyPart) throw new Error('not a sealed value');
    const body = Buffer.from(bodyPart, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(ivPart, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  }

  sealJson(value: unknown, context: string): string {
    return this.seal(JSON.stringify(value), context);
  }

  openJson(sealed: string, context: string): unknown {
    return JSON.parse(this.open(sealed, context)) as unknown;
  }
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
