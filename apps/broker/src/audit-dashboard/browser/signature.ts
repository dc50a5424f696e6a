// The checkpoint's Ed25519 signature, checked in this browser with WebCrypto against the key the
// broker publishes at /.well-known/jwks.json.

import type { Checkpoint, Jwks } from './types.js';

export type Verdict = [text: string, kind: 'good' | 'bad'];

/** The bytes of unpadded base64url text; null when it is not base64url. */
function base64url(text: unknown): Uint8Array<ArrayBuffer> | null {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Checks the signed tree head with WebCrypto against the published Ed25519 key named by key_id. */
export async function verifyCheckpoint(cp: Checkpoint): Promise<Verdict> {
  const response = await fetch('/.well-known/jwks.json', { cache: 'no-store' });
  const jwks = (await response.json()) as Jwks;
  const jwk = (jwks.keys || []).find((k) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.kid === cp.key_id);
  if (!jwk) return ['signing key not published', 'bad'];
  const signature = base64url(cp.signature);
  if (!signature || signature.length !== 64) return ['signature invalid', 'bad'];
  const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
  // RFC 8785 canonical JSON of these three members: keys sorted, so JSON.stringify in this order.
  const signed = new TextEncoder().encode(JSON.stringify({ root_hash: cp.root_hash, timestamp: cp.timestamp, tree_size: cp.tree_size }));
  const valid = await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, signed);
  return valid ? ['verified', 'good'] : ['signature invalid', 'bad'];
}
