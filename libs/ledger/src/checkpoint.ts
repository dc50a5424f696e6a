import { importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { HASH_HEX } from './merkle.js';

// Not strict: members other than these are not signed, so a reader may ignore them.
export const treeHeadSchema = z.object({
  tree_size: z.number().int().min(0),
  root_hash: z.string().regex(HASH_HEX),
  timestamp: z.iso.datetime({ precision: 3 }),
});

/** A signed tree head (SPEC §8). */
export const checkpointSchema = treeHeadSchema.extend({
  key_id: z.string().min(1),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});

export type TreeHead = z.infer<typeof treeHeadSchema>;
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** The signed bytes: the canonical JSON of exactly `{tree_size, root_hash, timestamp}`. */
export function checkpointPayload(head: TreeHead): string {
  return canonicalJson(treeHeadSchema.parse(head));
}

/** Signs a tree head with the ledger's Ed25519 private JWK; `key_id` is its `kid`. */
export async function signCheckpoint(head: TreeHead, privateJwk: JWK): Promise<Checkpoint> {
  const treeHead = treeHeadSchema.parse(head);
  const kid = privateJwk.kid;
  if (!kid) throw new TypeError('the checkpoint signing key has no kid');
  if (!privateJwk.d) throw new TypeError('the checkpoint signing key is not a private key');
  const key = await ed25519Key(privateJwk);
  const signature = await crypto.subtle.sign('Ed25519', key, new TextEncoder().encode(checkpointPayload(treeHead)));
  return { ...treeHead, key_id: kid, signature: Buffer.from(signature).toString('base64url') };
}

/**
 * False for any checkpoint that is malformed, names another key than the JWK's `kid`, or does not
 * carry a valid signature of its own tree head. Throws only when `publicJwk` is not an Ed25519 key,
 * which is a caller's mistake rather than a bad checkpoint.
 */
export async function verifyCheckpoint(checkpoint: Checkpoint, publicJwk: JWK): Promise<boolean> {
  const key = await ed25519Key({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x });
  const parsed = checkpointSchema.safeParse(checkpoint);
  if (!parsed.success) return false;
  const { key_id, signature, ...head } = parsed.data;
  if (publicJwk.kid !== undefined && publicJwk.kid !== key_id) return false;
  const bytes = Buffer.from(signature, 'base64url');
  // Only one spelling of the 64 bytes is accepted, so a checkpoint has exactly one valid form.
  if (bytes.toString('base64url') !== signature) return false;
  return crypto.subtle.verify('Ed25519', key, bytes, new TextEncoder().encode(checkpointPayload(head)));
}

async function ed25519Key(jwk: JWK): Promise<CryptoKey> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new TypeError('the checkpoint key must be an Ed25519 JWK');
  const key = await importJWK(jwk, 'Ed25519');
  if (key instanceof Uint8Array) throw new TypeError('the checkpoint key must be an Ed25519 JWK');
  return key;
}
