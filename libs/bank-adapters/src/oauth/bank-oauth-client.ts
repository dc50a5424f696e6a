import { importJWK, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { Agent, type Dispatcher } from 'undici';
import { cappedResponse } from '../shared/bank-response.js';

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
  /** Upper bound on open sockets to each bank origin (default 128), so a slow bank cannot soak up file descriptors. */
  readonly connectionsPerBank?: number;
  /**
   * Where bank requests go instead of the client's own keep-alive pool (tests pass an undici
   * MockAgent). The caller owns it: close() leaves it open.
   */
  readonly dispatcher?: Dispatcher;
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

/** The transport part of every oauth4webapi call to one bank; fixed per issuer, so built once. */
interface Transport {
  readonly [oauth.customFetch]: NonNullable<oauth.HttpRequestOptions<string, oauth.ProtectedResourceRequestBody>[typeof oauth.customFetch]>;
  readonly [oauth.allowInsecureRequests]?: boolean;
}

const insecureOnLoopback = (issuer: string): boolean => {
  const { protocol, hostname } = new URL(issuer);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost');
};

/** Idle sockets stay open this long, well past the gap between two releases to a busy bank. */
const KEEP_ALIVE_MS = 10_000;
const DEFAULT_CONNECTIONS_PER_BANK = 128;

// protectedResourceRequest copies the headers it is given, so these are shared by every call.
const ACCEPT_JSON = new Headers({ accept: 'application/json' });
const SEND_JSON = new Headers({ accept: 'application/json', 'content-type': 'application/json' });

/**
 * Runs `attempt` (send and process) and, when the server asked for a DPoP nonce, once more: the
 * handle has already stored the nonce from that answer, so the second proof carries it.
 */
async function withNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err;
    return attempt();
  }
}

/**
 * protectedResourceRequest rejects every response carrying a WWW-Authenticate challenge; anything
 * but a nonce request is the bank's answer for the adapter to read (a 401 invalid_token included).
 */
function answerOf(err: unknown): Response {
  if (err instanceof oauth.WWWAuthenticateChallengeError && !oauth.isDPoPNonceError(err)) return err.response;
  throw err;
}

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
  /** One handle per DPoP key: the handle caches the nonces banks hand out (per origin), so it must outlive a call. */
  private readonly dpopHandles = new Map<string, Promise<oauth.DPoPHandle>>();
  private readonly transports = new Map<string, Transport>();
  private clientAuthKey: Promise<oauth.PrivateKey> | undefined;
  private readonly client: oauth.Client;
  /** Set only when the client made the pool itself, so close() never closes a caller's dispatcher. */
  private readonly ownAgent: Agent | undefined;
  private readonly fetch: Transport[typeof oauth.customFetch];

  constructor(private readonly options: BankClientOptions) {
    this.client = { client_id: options.clientId };
    let dispatcher = options.dispatcher;
    if (dispatcher === undefined) {
      this.ownAgent = new Agent({
        keepAliveTimeout: KEEP_ALIVE_MS,
        connections: options.connectionsPerBank ?? DEFAULT_CONNECTIONS_PER_BANK,
        pipelining: 1,
      });
      dispatcher = this.ownAgent;
    }
    // Node's fetch takes an undici `dispatcher`, which the DOM RequestInit type does not know. The
    // bodies sent are strings and URLSearchParams; the cast only bridges DOM's narrower Uint8Array.
    this.fetch = (url, init) => {
      const withDispatcher: RequestInit & { dispatcher: Dispatcher } = { ...init, body: init.body as BodyInit | null | undefined, dispatcher };
      // Every answer of a bank, capped: a bank cannot make the broker read without end.
      return fetch(url, withDispatcher).then((response) => cappedResponse(response, new URL(url).host));
    };
  }

  /** Closes the keep-alive pool to the banks (waits for requests in flight); for shutdown. */
  async close(): Promise<void> {
    await this.ownAgent?.close();
  }

  /**
   * PAR with PKCE and RAR, then the bank's authorization URL carrying only client_id and request_uri,
   * with the request_uri's lifetime in seconds as the bank gave it.
   */
  async pushAuthorization(issuer: string, dpopKeyId: string, req: PushedAuthorization): Promise<{ url: URL; expiresIn: number }> {
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
    const dpop = await this.dpopHandle(dpopKeyId);
    params.set('dpop_jkt', await dpop.calculateThumbprint());
    const http = { ...this.http(issuer), DPoP: dpop };
    const auth = this.authFor();
    const par = await withNonceRetry(async () =>
      oauth.processPushedAuthorizationResponse(
        as,
        this.client,
        await oauth.pushedAuthorizationRequest(as, this.client, auth, params, http),
      ),
    );
    const endpoint = as.authorization_endpoint;
    if (endpoint === undefined) throw new Error('the bank publishes no authorization endpoint');
    const url = new URL(endpoint);
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('request_uri', par.request_uri);
    return { url, expiresIn: par.expires_in };
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
      // RFC 9207 `iss` is required from every bank (FAPI 2.0), whatever its metadata advertises: a
      // callback without it, or with another issuer's, is an issuer mix-up.
      params = oauth.validateAuthResponse({ ...as, authorization_response_iss_parameter_supported: true }, this.client, callbackUrl, expected.state);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError) {
        const kind = err.error === 'access_denied' ? 'access_denied' : 'bank_error';
        throw new CallbackFailure(kind, `the bank answered ${err.error}`, { cause: err });
      }
      throw new CallbackFailure('issuer_mismatch', 'the authorization response failed validation', { cause: err });
    }
    try {
      const http = { ...this.http(issuer), DPoP: await this.dpopHandle(dpopKeyId) };
      const auth = this.authFor();
      const result = await withNonceRetry(async () =>
        oauth.processAuthorizationCodeResponse(
          as,
          this.client,
          await oauth.authorizationCodeGrantRequest(as, this.client, auth, params, this.options.redirectUri, expected.codeVerifier, http),
          { expectedNonce: expected.nonce, requireIdToken: true },
        ),
      );
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

  /**
   * A request to the bank's DPoP-protected API; `path` is resolved against the issuer. Every answer
   * the bank gives (401 included) comes back as the Response for the adapter to interpret; only a
   * nonce request is handled here (retried once), and a second one in a row is thrown.
   */
  async resourceRequest(
    issuer: string,
    dpopKeyId: string,
    accessToken: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    const http = { ...this.http(issuer), DPoP: await this.dpopHandle(dpopKeyId) };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload === undefined ? ACCEPT_JSON : SEND_JSON;
    const url = new URL(path, `${issuer}/`);
    return withNonceRetry(() => oauth.protectedResourceRequest(accessToken, method, url, headers, payload, http)).catch(answerOf);
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

  /** One timeout for the whole call (a nonce retry included), over the bank's fixed transport. */
  private http(issuer: string): Transport & { signal: AbortSignal } {
    let transport = this.transports.get(issuer);
    if (transport === undefined) {
      transport = {
        [oauth.customFetch]: this.fetch,
        ...(insecureOnLoopback(issuer) ? { [oauth.allowInsecureRequests]: true } : {}),
      };
      this.transports.set(issuer, transport);
    }
    return { ...transport, signal: AbortSignal.timeout(this.options.timeoutMs) };
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

  private dpopHandle(dpopKeyId: string): Promise<oauth.DPoPHandle> {
    let handle = this.dpopHandles.get(dpopKeyId);
    if (handle === undefined) {
      const jwk = this.options.keys.dpopJwks[dpopKeyId];
      if (jwk === undefined) throw new Error(`no DPoP key with id ${dpopKeyId} is configured`);
      handle = importDpopPair(jwk).then((pair) => oauth.DPoP(this.client, pair));
      this.dpopHandles.set(dpopKeyId, handle);
    }
    return handle;
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
