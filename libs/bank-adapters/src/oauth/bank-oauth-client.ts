import { importJWK, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';

/**
 * The broker's only OAuth 2.0 / FAPI 2.0 client (oauth4webapi): PAR, PKCE S256, private_key_jwt,
 * DPoP-bound tokens, RFC 9207 `iss` checks, revocation, and DPoP-protected resource calls.
 */

export interface BankClientKeys {
  /** The broker's ES256 client-authentication key (private JWK with `kid`). */
  readonly clientAuthJwk: JWK;
  /** DPoP keys by key id (each bank row names one), shared by all broker instances so any instance can use any token. */
  readonly dpopJwks: Readonly<Record<string, JWK>>;
}

export interface BankClientOptions {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly timeoutMs: number;
  readonly keys: BankClientKeys;
  readonly discoveryTtlMs?: number;
}

export interface PushedAuthorization {
  readonly scope: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly authorizationDetails: readonly Record<string, unknown>[];
}

export interface BankTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresIn: number | undefined;
  /** The bank subject: the ID Token `sub`. */
  readonly subject: string;
}

/** Why a callback did not yield tokens: the customer said no, or anything else went wrong. */
export class CallbackFailure extends Error {
  constructor(
    readonly kind: 'access_denied' | 'issuer_mismatch' | 'bank_error' | 'exchange_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CallbackFailure';
  }
}

interface Discovered {
  readonly as: oauth.AuthorizationServer;
  readonly fetchedAt: number;
}

const insecureOnLoopback = (issuer: string): boolean => {
  const { protocol, hostname } = new URL(issuer);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost');
};

/** Fresh single-use secrets for one authorization request. */
export function newFlowSecrets(): { state: string; nonce: string; codeVerifier: string } {
  return {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
  };
}

export class BankOAuthClient {
  private readonly discovered = new Map<string, Discovered>();
  private readonly dpopKeys = new Map<string, Promise<CryptoKeyPair>>();
  private clientAuthKey: Promise<oauth.PrivateKey> | undefined;
  private readonly client: oauth.Client;

  constructor(private readonly options: BankClientOptions) {
    this.client = { client_id: options.clientId };
  }

  /** PAR with PKCE and RAR, then the bank's authorization URL carrying only client_id and request_uri. */
  async pushAuthorization(issuer: string, dpopKeyId: string, req: PushedAuthorization): Promise<URL> {
    const as = await this.discover(issuer);
    const params = new URLSearchParams({
      response_type: 'code',
      redirect_uri: this.options.redirectUri,
      scope: req.scope,
      state: req.state,
      nonce: req.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(req.codeVerifier),
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify(req.authorizationDetails),
    });
    const dpop = oauth.DPoP(this.client, await this.dpopKey(dpopKeyId));
    params.set('dpop_jkt', await dpop.calculateThumbprint());
    const response = await this.withDpopRetry(() =>
      oauth.pushedAuthorizationRequest(as, this.client, this.authFor(), params, { ...this.http(issuer), DPoP: dpop }),
    );
    const par = await oauth.processPushedAuthorizationResponse(as, this.client, response);
    const endpoint = as.authorization_endpoint;
    if (endpoint === undefined) throw new Error('the bank publishes no authorization endpoint');
    const url = new URL(endpoint);
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('request_uri', par.request_uri);
    return url;
  }

  /**
   * Validates the callback (state, RFC 9207 `iss`) and exchanges the code with PKCE, private_key_jwt
   * and DPoP. Throws CallbackFailure; never returns partial results.
   */
  async completeAuthorization(
    issuer: string,
    dpopKeyId: string,
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<BankTokens> {
    const as = await this.discover(issuer);
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.client, callbackUrl, expected.state);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError) {
        const kind = err.error === 'access_denied' ? 'access_denied' : 'bank_error';
        throw new CallbackFailure(kind, `the bank answered ${err.error}`, { cause: err });
      }
      throw new CallbackFailure('issuer_mismatch', 'the authorization response failed validation', { cause: err });
    }
    try {
      const dpop = oauth.DPoP(this.client, await this.dpopKey(dpopKeyId));
      const response = await this.withDpopRetry(() =>
        oauth.authorizationCodeGrantRequest(
          as,
          this.client,
          this.authFor(),
          params,
          this.options.redirectUri,
          expected.codeVerifier,
          { ...this.http(issuer), DPoP: dpop },
        ),
      );
      const result = await oauth.processAuthorizationCodeResponse(as, this.client, response, {
        expectedNonce: expected.nonce,
        requireIdToken: true,
      });
      if (result.token_type.toLowerCase() !== 'dpop') throw new Error('the bank issued a token that is not DPoP-bound');
      const claims = oauth.getValidatedIdTokenClaims(result);
      if (claims === undefined) throw new Error('no ID Token');
      return {
        accessToken: result.access_token,
        refreshToken: result.refresh_token,
        expiresIn: result.expires_in,
        subject: claims.sub,
      };
    } catch (err) {
      throw new CallbackFailure('exchange_failed', 'the code exchange failed', { cause: err });
    }
  }

  /** A request to the bank's DPoP-protected API; `path` is resolved against the issuer. */
  async resourceRequest(
    issuer: string,
    dpopKeyId: string,
    accessToken: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    const dpop = oauth.DPoP(this.client, await this.dpopKey(dpopKeyId));
    const headers = new Headers({ accept: 'application/json' });
    let payload: string | undefined;
    if (body !== undefined) {
      headers.set('content-type', 'application/json');
      payload = JSON.stringify(body);
    }
    const url = new URL(path, `${issuer}/`);
    const send = (): Promise<Response> =>
      oauth.protectedResourceRequest(accessToken, method, url, headers, payload, { ...this.http(issuer), DPoP: dpop });
    return this.withDpopRetry(send);
  }

  /** RFC 7009 revocation at the bank; best effort, the broker drops its copy regardless. */
  async revoke(issuer: string, token: string): Promise<void> {
    const as = await this.discover(issuer);
    if (as.revocation_endpoint === undefined) return;
    const response = await oauth.revocationRequest(as, this.client, this.authFor(), token, this.http(issuer));
    await oauth.processRevocationResponse(response);
  }

  /** Whether this bank's metadata is cached and fresh (for /readyz). */
  isDiscoveryFresh(issuer: string): boolean {
    const hit = this.discovered.get(issuer);
    return hit !== undefined && Date.now() - hit.fetchedAt < this.ttl();
  }

  async discover(issuer: string): Promise<oauth.AuthorizationServer> {
    const hit = this.discovered.get(issuer);
    if (hit && Date.now() - hit.fetchedAt < this.ttl()) return hit.as;
    const issuerUrl = new URL(issuer);
    const response = await oauth.discoveryRequest(issuerUrl, { ...this.http(issuer), algorithm: 'oidc' });
    const as = await oauth.processDiscoveryResponse(issuerUrl, response);
    this.discovered.set(issuer, { as, fetchedAt: Date.now() });
    return as;
  }

  private ttl(): number {
    return this.options.discoveryTtlMs ?? 300_000;
  }

  private http(issuer: string): { signal: AbortSignal; [oauth.allowInsecureRequests]?: boolean } {
    return {
      signal: AbortSignal.timeout(this.options.timeoutMs),
      ...(insecureOnLoopback(issuer) ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }

  private authFor(): oauth.ClientAuth {
    this.clientAuthKey ??= (async () => {
      const jwk = this.options.keys.clientAuthJwk;
      const key = await importJWK(jwk, 'ES256');
      if (!(key instanceof CryptoKey)) throw new Error('the client authentication key must be an EC key');
      return { key, ...(jwk.kid === undefined ? {} : { kid: jwk.kid }) };
    })();
    const pending = this.clientAuthKey;
    // Importing the key is asynchronous; a ClientAuth may be, so it awaits the import when used.
    return async (as, client, body, headers) => {
      const key = await pending;
      return oauth.PrivateKeyJwt(key)(as, client, body, headers);
    };
  }

  private dpopKey(dpopKeyId: string): Promise<CryptoKeyPair> {
    let pair = this.dpopKeys.get(dpopKeyId);
    if (pair === undefined) {
      const jwk = this.options.keys.dpopJwks[dpopKeyId];
      if (jwk === undefined) throw new Error(`no DPoP key with id ${dpopKeyId} is configured`);
      pair = importDpopPair(jwk);
      this.dpopKeys.set(dpopKeyId, pair);
    }
    return pair;
  }

  private async withDpopRetry(send: () => Promise<Response>): Promise<Response> {
    const response = await send();
    if (response.status === 400 || response.status === 401) {
      const clone = response.clone();
      const nonceChallenge =
        response.headers.get('dpop-nonce') !== null &&
        ((await clone.text().catch(() => '')).includes('use_dpop_nonce') ||
          (response.headers.get('www-authenticate') ?? '').includes('use_dpop_nonce'));
      if (nonceChallenge) return send();
    }
    return response;
  }
}

async function importDpopPair(jwk: JWK): Promise<CryptoKeyPair> {
  const { d: _d, ...publicJwk } = jwk;
  const privateKey = await importJWK(jwk, 'ES256');
  const publicKey = await importJWK(publicJwk, 'ES256', { extractable: true });
  if (!(privateKey instanceof CryptoKey) || !(publicKey instanceof CryptoKey)) {
    throw new Error('DPoP keys must be EC keys');
  }
  return { privateKey, publicKey };
}
