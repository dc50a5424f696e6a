import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointPayload, signCheckpoint, verifyCheckpoint, type Checkpoint, type TreeHead } from './checkpoint.js';
import { EMPTY_TREE_ROOT } from './merkle.js';

async function newKeyPair(kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { privateJwk: { ...(await exportJWK(privateKey)), kid }, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

const head: TreeHead = {
  tree_size: 42,
  root_hash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  timestamp: '2026-11-23T06:04:05.123Z',
};

let keys: { privateJwk: JWK; publicJwk: JWK };
let other: { privateJwk: JWK; publicJwk: JWK };

beforeAll(async () => {
  keys = await newKeyPair('key_ledger_1');
  other = await newKeyPair('key_ledger_2');
});

describe(checkpointPayload.name, () => {
  it('is the canonical JSON of the tree head alone, members in code point order', () => {
    const signed = { ...head, key_id: 'key_ledger_1', signature: 'x' };
    const expected = `{"root_hash":"${head.root_hash}","timestamp":"2026-11-23T06:04:05.123Z","tree_size":42}`;
    expect(checkpointPayload(head)).toBe(expected);
    expect(checkpointPayload(signed)).toBe(expected);
  });

  it('refuses a tree head that is not as SPEC §8 writes it', () => {
    const bad: Array<Partial<TreeHead>> = [
      { timestamp: '2026-11-23T06:04:05Z' },
      { timestamp: '2026-11-23T06:04:05.123+09:00' },
      { timestamp: '2026-02-30T06:04:05.123Z' },
      { root_hash: head.root_hash.toUpperCase() },
      { tree_size: -1 },
      { tree_size: 1.5 },
    ];
    for (const change of bad) expect(() => checkpointPayload({ ...head, ...change })).toThrow();
  });
});

describe(signCheckpoint.name, () => {
  it('signs the payload with Ed25519 and names the key by its kid', async () => {
    const sut = await signCheckpoint(head, keys.privateJwk);
    expect(sut).toEqual({ ...head, key_id: 'key_ledger_1', signature: expect.stringMatching(/^[\w-]{86}$/) as string });
    expect(Buffer.from(sut.signature, 'base64url')).toHaveLength(64);
    expect(await verifyCheckpoint(sut, keys.publicJwk)).toBe(true);
  });

  it('signs the empty tree', async () => {
    const empty = { tree_size: 0, root_hash: EMPTY_TREE_ROOT, timestamp: head.timestamp };
    expect(await verifyCheckpoint(await signCheckpoint(empty, keys.privateJwk), keys.publicJwk)).toBe(true);
  });

  it('needs a private Ed25519 key with a kid', async () => {
    const { kid: _kid, ...withoutKid } = keys.privateJwk;
    await expect(signCheckpoint(head, withoutKid)).rejects.toThrow(TypeError);
    await expect(signCheckpoint(head, keys.publicJwk)).rejects.toThrow(TypeError);
    await expect(signCheckpoint(head, { kty: 'EC', crv: 'P-256', kid: 'k' })).rejects.toThrow(TypeError);
  });
});

describe(verifyCheckpoint.name, () => {
  let checkpoint: Checkpoint;

  beforeAll(async () => {
    checkpoint = await signCheckpoint(head, keys.privateJwk);
  });

  it('rejects any change to the signed tree head', async () => {
    const changes: Array<Partial<Checkpoint>> = [
      { tree_size: 43 },
      { root_hash: EMPTY_TREE_ROOT },
      { timestamp: '2026-11-23T06:04:05.124Z' },
    ];
    for (const change of changes) expect(await verifyCheckpoint({ ...checkpoint, ...change }, keys.publicJwk)).toBe(false);
  });

  it('rejects a changed signature', async () => {
    const bytes = Buffer.from(checkpoint.signature, 'base64url');
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    const flipped = bytes.toString('base64url');
    expect(await verifyCheckpoint({ ...checkpoint, signature: flipped }, keys.publicJwk)).toBe(false);
    // The last character carries 4 unused bits: setting one spells the same 64 bytes another way.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet[alphabet.indexOf(checkpoint.signature.at(-1) ?? '') + 1] ?? '';
    const respelled = checkpoint.signature.slice(0, -1) + last;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(checkpoint.signature, 'base64url'));
    expect(await verifyCheckpoint({ ...checkpoint, signature: respelled }, keys.publicJwk)).toBe(false);
    expect(await verifyCheckpoint({ ...checkpoint, signature: 'AAAA' }, keys.publicJwk)).toBe(false);
  });

  it('rejects another key or a checkpoint naming another key, and takes the public half of a private JWK', async () => {
    expect(await verifyCheckpoint(checkpoint, other.publicJwk)).toBe(false);
    const { kid: _kid, ...anonymous } = other.publicJwk;
    expect(await verifyCheckpoint(checkpoint, anonymous)).toBe(false);
    expect(await verifyCheckpoint(checkpoint, keys.privateJwk)).toBe(true);
    expect(await verifyCheckpoint({ ...checkpoint, key_id: 'key_ledger_2' }, keys.publicJwk)).toBe(false);
  });

  it('returns false for a malformed checkpoint', async () => {
    const malformed = [{ ...checkpoint, timestamp: '2026-11-23' }, { ...checkpoint, key_id: '' }, {}, null];
    for (const bad of malformed) expect(await verifyCheckpoint(bad as Checkpoint, keys.publicJwk)).toBe(false);
  });

  it('throws for a key that is not Ed25519', async () => {
    await expect(verifyCheckpoint(checkpoint, { kty: 'oct', k: 'c2VjcmV0' })).rejects.toThrow(TypeError);
  });
});
