import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sealer, sealingKeyId } from './sealer.js';

/** A value in the first format (no key id), as rows written before key ids hold it. */
function legacySeal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

describe(Sealer.name, () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('seals with the current key and names it by id', () => {
    const sealed = new Sealer(newKey).seal('secret', 'ctx');

    expect(sealed.split('.')).toHaveLength(4);
    expect(sealed.split('.')[1]).toBe(sealingKeyId(newKey));
    expect(sealed).not.toContain('secret');
    expect(new Sealer(newKey).open(sealed, 'ctx')).toBe('secret');
  });

  it('opens, after a rotation, what the previous key sealed; new values carry the new id', () => {
    const before = new Sealer(oldKey).seal('token-1', 'tokens:ver_1');
    const rotated = new Sealer(newKey, [oldKey]);

    expect(rotated.open(before, 'tokens:ver_1')).toBe('token-1');
    expect(rotated.seal('token-2', 'tokens:ver_2').split('.')[1]).toBe(sealingKeyId(newKey));
  });

  it('refuses a value sealed with a key that is no longer configured, naming only its id', () => {
    const before = new Sealer(oldKey).seal('token-1', 'ctx');

    expect(() => new Sealer(newKey).open(before, 'ctx')).toThrow(`key id ${sealingKeyId(oldKey)}`);
  });

  it('opens the first format (no key id) with the current or a previous key', () => {
    expect(new Sealer(oldKey).open(legacySeal(oldKey, 'a', 'ctx'), 'ctx')).toBe('a');
    expect(new Sealer(newKey, [oldKey]).open(legacySeal(oldKey, 'b', 'ctx'), 'ctx')).toBe('b');
    expect(() => new Sealer(newKey).open(legacySeal(oldKey, 'c', 'ctx'), 'ctx')).toThrow('no configured key');
  });

  it('binds the context: a value copied to another purpose does not open', () => {
    const sealed = new Sealer(newKey).seal('x', 'tokens:ver_1');

    expect(() => new Sealer(newKey).open(sealed, 'tokens:ver_2')).toThrow();
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new Sealer(randomBytes(16))).toThrow('32 bytes');
    expect(() => new Sealer(newKey, [randomBytes(31)])).toThrow('32 bytes');
  });
});
