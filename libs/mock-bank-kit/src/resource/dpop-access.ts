import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { z } from 'zod';
import { kycReleaseOf, type KycRelease } from '../oidc/kyc-release.js';
import { ReplayCache } from './replay-cache.js';

/** What the bank keeps about an access token (a projection of oidc-provider's AccessToken). */
export interface AccessTokenRecord {
  readonly accountId: string;
  readonly clientId?: string | undefined;
  readonly jkt?: string | undefined;
  readonly scope?: string | undefined;
  readonly aud?: string | readonly string[] | undefined;
  readonly rar?: unknown;
}

export type AccessTokenLookup = (token: string) => Promise<AccessTokenRecord | undefined>;

export interface ResourceRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The request's Host header: behind a reverse proxy that keeps Host, the target URI the client used. */
  readonly host?: string | undefined;
  readonly authorization?: string | undefined;
  readonly dpop?: string | readonly string[] | undefined;
}

/** What the DPoP check needs from an incoming HTTP request (an Express request fits). */
export function resourceRequestOf(req: {
  method: string;
  path: string;
  headers: { host?: string | undefined; authorization?: string | undefined; dpop?: string | string[] | undefined };
}): ResourceRequest {
  return { method: req.method, path: req.path, host: req.headers.host, authorization: req.headers.authorization, dpop: req.headers.dpop };
}

export interface KycAccess {
  readonly accountId: string;
  readonly release: KycRelease;
}

export type AccessErrorCode = 'invalid_token' | 'invalid_dpop_proof' | 'insufficient_scope';

export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];

export class ResourceAccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'ResourceAccessError';
  }

  get status(): 401 | 403 {
    return this.code === 'insufficient_scope' ? 403 : 401;
  }

  /** RFC 9449 §7.1 challenge. */
  get wwwAuthenticate(): string {
    const description = this.description.replace(/["\\]/g, '');
    return `DPoP error="${this.code}", error_description="${description}", algs="${DPOP_ALGORITHMS.join(' ')}"`;
  }
}

export interface DpopAccessOptions {
  readonly issuer: string;
  readonly resource: string;
  readonly scope: string;
  readonly lookup: AccessTokenLookup;
  readonly now?: () => number;
  /** Accepted clock difference for the proof's `iat`, in seconds. */
  readonly windowSeconds?: number;
}

const proofClaimsSchema = z.object({
  htm: z.string(),
  htu: z.string(),
  iat: z.number(),
  jti: z.string().min(1).max(256),
  ath: z.string().optional(),
});

const fail = (code: AccessErrorCode, description: string): never => {
  throw new ResourceAccessError(code, description);
};

function base64urlSha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function withoutQuery(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (!parsed) return undefined;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/** RFC 9449 resource-server checks for the bank's KYC API: the token, its proof, its key binding and its consent. */
export class DpopAccessVerifier {
  private readonly replay: ReplayCache;
  private readonly now: () => number;
  private readonly windowSeconds: number;

  constructor(private readonly options: DpopAccessOptions) {
    this.now = options.now ?? Date.now;
    this.windowSeconds = options.windowSeconds ?? 60;
    this.replay = new ReplayCache(2 * this.windowSeconds * 1000);
  }

  async verify(request: ResourceRequest): Promise<KycAccess> {
    const token = this.extractToken(request.authorization);
    const proof = this.extractProof(request.dpop);
    const record = await this.options.lookup(token);
    if (!record) return fail('invalid_token', 'the access token is unknown, expired or revoked');
    if (!record.jkt) return fail('invalid_token', 'the access token is not DPoP-bound');
    const thumbprint = await this.verifyProof(proof, token, request);
    if (thumbprint !== record.jkt) return fail('invalid_token', 'the DPoP proof key does not match the token binding');
    return this.authorize(record);
  }

  private extractToken(authorization: string | undefined): string {
    const match = /^DPoP ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization ?? '');
    return match?.[1] ?? fail('invalid_token', 'a DPoP access token is required');
  }

  private extractProof(dpop: string | readonly string[] | undefined): string {
    if (typeof dpop !== 'string' || dpop.includes(',')) return fail('invalid_dpop_proof', 'exactly one DPoP proof is required');
    return dpop;
  }

  private async verifyProof(proof: string, token: string, request: ResourceRequest): Promise<string> {
    const nowMs = this.now();
    let verified;
    try {
      verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: DPOP_ALGORITHMS,
        currentDate: new Date(nowMs),
      });
    } catch {
      return fail('invalid_dpop_proof', 'the DPoP proof is not a valid signed dpop+jwt');
    }
    const claims = proofClaimsSchema.safeParse(verified.payload);
    if (!claims.success) return fail('invalid_dpop_proof', 'the DPoP proof lacks htm, htu, iat or jti');
    const { htm, htu, iat, jti, ath } = claims.data;
    if (htm !== request.method) fail('invalid_dpop_proof', 'htm does not match the request method');
    if (!this.targetUris(request).includes(withoutQuery(htu) ?? '')) fail('invalid_dpop_proof', 'htu does not match the request URI');
    if (Math.abs(nowMs / 1000 - iat) > this.windowSeconds) fail('invalid_dpop_proof', 'iat is outside the acceptable window');
    if (ath !== base64urlSha256(token)) fail('invalid_dpop_proof', 'ath does not match the access token');
    const thumbprint = await calculateJwkThumbprint(verified.protectedHeader.jwk as JWK);
    if (!this.replay.remember(`${thumbprint}:${jti}`, nowMs)) fail('invalid_dpop_proof', 'the DPoP proof was already used');
    return thumbprint;
  }

  /** The issuer-based URI, and the one the Host header names (a reverse proxy in front of the bank). */
  private targetUris(request: ResourceRequest): string[] {
    const own = new URL(request.path, this.options.issuer).href;
    const viaHost = request.host && /^[A-Za-z0-9.:[\]-]+$/.test(request.host) ? URL.parse(request.path, `http://${request.host}`)?.href : undefined;
    return viaHost ? [own, viaHost] : [own];
  }

  private authorize(record: AccessTokenRecord): KycAccess {
    const audiences = typeof record.aud === 'string' ? [record.aud] : (record.aud ?? []);
    if (!audiences.includes(this.options.resource)) return fail('invalid_token', 'the access token is for another resource');
    if (!(record.scope ?? '').split(' ').includes(this.options.scope)) {
      return fail('insufficient_scope', `the access token lacks the ${this.options.scope} scope`);
    }
    const release = kycReleaseOf(record.rar);
    if (!release) return fail('insufficient_scope', 'the access token carries no kyc_release consent');
    return { accountId: record.accountId, release };
  }
}
