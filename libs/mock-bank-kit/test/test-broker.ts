// Test support: a throwaway "broker" client (oauth4webapi) and keys for starting a mock bank in-process.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import {
  NOTE_COSIGNATURE_V1, formatCheckpointBody, formatNote, merkleRoot, parseNote, parseVerifierKey, signNote, verifierKeyOfJwk, verifyCosignature,
} from '@kyc/ledger';
import { BankBrowser, findFreePort, loadBankConfig, type BankConfig, type BankId, type ConsentDecision, type KycRelease } from '@kyc/mock-bank-kit';

export interface TestBroker {
  readonly config: BankConfig;
  readonly clientAuth: oauth.ClientAuth;
  /** The private key of the ledger the bank witnesses (its public part is in the bank's config). */
  readonly ledgerJwk: JWK;
}

async function ed25519Jwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  return exportJWK(privateKey);
}

async function privateJwks(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256' }] });
}

/**
 * A bank config on a free port with fresh keys; the registered redirect URI points nowhere on
 * purpose. The witness state goes to a fresh folder under the OS temp dir, made on first use.
 */
export async function testBankSetup(bank: BankId): Promise<TestBroker> {
  const port = await findFreePort();
  const client = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(client.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const prefix = bank === 'a' ? 'BANK_A' : 'BANK_B';
  const ledgerJwk = await ed25519Jwk();
  const { d: _d, ...ledgerPublicJwk } = ledgerJwk;
  const config = loadBankConfig(bank, {
    [`${prefix}_PORT`]: String(port),
    BROKER_PUBLIC_URL: 'http://127.0.0.1:1',
    BROKER_CLIENT_JWKS: JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256' }] }),
    [`${prefix}_JWKS`]: await privateJwks(),
    [`${prefix}_COOKIE_KEY`]: randomBytes(32).toString('base64url'),
    BANK_CONTROL: '1',
    [`${prefix}_WITNESS_JWK`]: JSON.stringify(await ed25519Jwk()),
    [`${prefix}_WITNESS_STATE_DIR`]: path.join(tmpdir(), `kyc-bank-${bank}-witness-${randomBytes(6).toString('hex')}`),
    LEDGER_PUBLIC_JWK: JSON.stringify(ledgerPublicJwk),
  });
  return { config, clientAuth: oauth.PrivateKeyJwt({ key: client.privateKey, kid }), ledgerJwk };
}

export const insecure = { [oauth.allowInsecureRequests]: true } as const;
export const client: oauth.Client = { client_id: 'kyc-broker', id_token_signed_response_alg: 'ES256' };

export interface FlowResult {
  readonly callback: URL;
  readonly as: oauth.AuthorizationServer;
  readonly dpop: oauth.DPoPHandle;
  readonly tokens?: oauth.TokenEndpointResponse;
}

export interface PushedAuthorization {
  readonly as: oauth.AuthorizationServer;
  readonly dpop: oauth.DPoPHandle;
  readonly authorizationUrl: URL;
  readonly state: string;
  readonly verifier: string;
}

/** PAR with authorization_details, PKCE S256, private_key_jwt and DPoP; the URL to send the browser to. */
export async function pushAuthorization(setup: TestBroker, scope: string, details: unknown[] | undefined): Promise<PushedAuthorization> {
  const issuer = new URL(setup.config.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const par = await oauth.pushedAuthorizationRequest(as, client, setup.clientAuth, {
    redirect_uri: setup.config.redirectUri,
    response_type: 'code',
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(details ? { authorization_details: JSON.stringify(details) } : {}),
  }, { DPoP: dpop, ...insecure });
  const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, par);
  const authorizationUrl = new URL(as.authorization_endpoint ?? '');
  authorizationUrl.searchParams.set('client_id', client.client_id);
  authorizationUrl.searchParams.set('request_uri', request_uri);
  return { as, dpop, authorizationUrl, state, verifier };
}

/** PAR → login + consent in a cookie-keeping browser → (on approval) code exchange. */
export async function runConsentFlow(
  setup: TestBroker,
  scope: string,
  release: KycRelease,
  login: { username: string; decision: ConsentDecision },
): Promise<FlowResult> {
  const { as, dpop, authorizationUrl, state, verifier } = await pushAuthorization(setup, scope, [release]);
  const callback = await new BankBrowser().authorize(authorizationUrl, { ...login, password: 'password' });
  if (login.decision === 'deny') return { callback, as, dpop };
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, setup.clientAuth, params, setup.config.redirectUri, verifier, {
    DPoP: dpop,
    ...insecure,
  });
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  return { callback, as, dpop, tokens };
}

/**
 * Submits the first checkpoint of a one-entry ledger to the bank's witness as the broker would, with
 * a content type that Nest's JSON parser would take if the witness were mounted after it.
 */
export async function submitFirstCheckpoint(setup: TestBroker): Promise<{ status: number; cosignature?: { timestamp: number } }> {
  const { witness, issuer } = setup.config;
  const body = formatCheckpointBody({ origin: witness.log.origin, size: 1, rootHash: merkleRoot(['ab'.repeat(32)]) });
  const note = formatNote(body, [await signNote(body, witness.log.origin, setup.ledgerJwk)]);
  const res = await fetch(`${issuer}/witness/add-checkpoint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `old 0\n\n${note}` });
  const text = await res.text();
  if (!res.ok) return { status: res.status };
  const key = parseVerifierKey(verifierKeyOfJwk(witness.name, NOTE_COSIGNATURE_V1, witness.privateJwk));
  return { status: res.status, cosignature: await verifyCosignature(parseNote(note + text), key) };
}
