import { createHash } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import { HASH_HEX } from './merkle.js';

/*
 * C2SP signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and Ed25519
 * cosignatures (c2sp.org/tlog-cosignature, cosignature/v1), with Ed25519 keys as JWKs. Parsers are
 * strict and throw TypeError; verifiers answer false (or undefined) for a signature that does not
 * verify and throw only for a caller's mistake, such as a key of the wrong signature type.
 */

/** Signature type of a log's note signature (Ed25519 over the note text). */
export const NOTE_ED25519 = 0x01;
/** Signature type of a timestamped Ed25519 checkpoint cosignature (cosignature/v1). */
export const NOTE_COSIGNATURE_V1 = 0x04;
/** Go's x/mod/sumdb/note stops at 100 as well; signed-note asks for at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const TIMESTAMP_BYTES = 8;
const MAX_TIMESTAMP = 2n ** 63n - 1n;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
// Signed notes allow no ASCII control character but the newline.
// eslint-disable-next-line no-control-regex -- these are the characters the regex is for
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
// A lone surrogate has no UTF-8 encoding.
const LONE_SURROGATE = /\p{Cs}/u;
const NAME_FORBIDDEN = /[\p{White_Space}+]/u;
const utf8 = new TextEncoder();

/** A key name per signed-note: non-empty, no Unicode spaces, no plus (nor control characters). */
export function isNoteKeyName(name: string): boolean {
  return name !== '' && !NAME_FORBIDDEN.test(name) && !CONTROL.test(name) && !LONE_SURROGATE.test(name);
}

/** SHA-256(name || 0x0A || type || public key)[:4]. */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): Buffer {
  assertKeyName(name);
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new TypeError(`signature type ${type} is not a byte`);
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, type)).update(publicKey).digest();
  return Buffer.from(digest.subarray(0, 4));
}

/** `<name>+<hex key id>+<base64(type || public key)>`. */
export function verifierKey(name: string, type: number, publicKey: Uint8Array): string {
  assertEd25519Type(type);
  if (publicKey.length !== KEY_BYTES) throw new TypeError(`an Ed25519 public key has ${KEY_BYTES} bytes, not ${publicKey.length}`);
  const material = Buffer.concat([Uint8Array.of(type), publicKey]).toString('base64');
  return `${name}+${noteKeyId(name, type, publicKey).toString('hex')}+${material}`;
}

/** The vkey of an Ed25519 JWK; a private JWK gives the vkey of its public part. */
export function verifierKeyOfJwk(name: string, type: number, jwk: JWK): string {
  return verifierKey(name, type, ed25519PublicKeyOfJwk(jwk));
}

export interface VerifierKey {
  readonly name: string;
  readonly type: number;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  readonly text: string;
}

/** Accepts Ed25519 vkeys of type 0x01 or 0x04 whose key id is the one the name and key imply. */
export function parseVerifierKey(vkey: string): VerifierKey {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new TypeError('a verifier key is <name>+<hex key id>+<base64 key>');
  const name = vkey.slice(0, first);
  const hexId = vkey.slice(first + 1, second);
  if (!isNoteKeyName(name)) throw new TypeError('the verifier key name is empty or holds a space, a plus or a control character');
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new TypeError('the verifier key id is not 8 lowercase hex digits');
  const material = decodeBase64(vkey.slice(second + 1));
  const type = material?.[0];
  if (material === undefined || type === undefined) throw new TypeError('the verifier key material is not base64');
  assertEd25519Type(type);
  const publicKey = material.subarray(1);
  if (publicKey.length !== KEY_BYTES) throw new TypeError(`an Ed25519 public key has ${KEY_BYTES} bytes, not ${publicKey.length}`);
  const keyId = noteKeyId(name, type, publicKey);
  if (keyId.toString('hex') !== hexId) throw new TypeError('the verifier key id does not match its name, type and key');
  return { name, type, keyId, publicKey: Buffer.from(publicKey), text: vkey };
}

export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  /** Lowercase hex, as everywhere else in the ledger; base64 only in the note text. */
  readonly rootHash: string;
  readonly extensions: readonly string[];
}

/** `origin\nsize\nbase64(root)\n` and one line per extension. */
export function formatCheckpointBody(body: { origin: string; size: number; rootHash: string; extensions?: readonly string[] }): string {
  if (!HASH_HEX.test(body.rootHash)) throw new TypeError('the root hash is not 64 lowercase hex digits');
  if (!Number.isSafeInteger(body.size) || body.size < 0) throw new TypeError(`the tree size ${body.size} is not a non-negative integer`);
  const lines = [body.origin, String(body.size), Buffer.from(body.rootHash, 'hex').toString('base64'), ...(body.extensions ?? [])];
  if (lines.some((line) => line.includes('\n'))) throw new TypeError('a checkpoint line holds a newline');
  const text = `${lines.join('\n')}\n`;
  parseCheckpointBody(text);
  return text;
}

/** Strict per tlog-checkpoint: non-empty lines, canonical decimal size, 32-byte root, final newline. */
export function parseCheckpointBody(text: string): CheckpointBody {
  assertNoteText(text, 'checkpoint');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || size === undefined || root === undefined) throw new TypeError('a checkpoint has at least three lines');
  if (origin === '') throw new TypeError('the checkpoint origin is empty');
  if (!DECIMAL.test(size) || !Number.isSafeInteger(Number(size))) throw new TypeError('the checkpoint size is not a decimal without leading zeros');
  const rootHash = decodeBase64(root);
  if (rootHash?.length !== 32) throw new TypeError('the checkpoint root hash is not 32 bytes of base64');
  if (extensions.some((line) => line === '')) throw new TypeError('a checkpoint extension line is empty');
  return { origin, size: Number(size), rootHash: rootHash.toString('hex'), extensions };
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  /** The bytes after the 4-byte key id. */
  readonly signature: Buffer;
  /** The whole `— name base64\n` line. */
  readonly line: string;
}

export interface Note {
  readonly text: string;
  /** The signed text, with its final newline, without the blank line. */
  readonly body: string;
  readonly signatures: readonly NoteSignature[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Per signed-note: the body ends before the last blank line, then one signature line or more.
 * Bytes are decoded as strict UTF-8 (a byte order mark is kept: it is part of the signed text).
 */
export function parseNote(input: string | Uint8Array): Note {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  assertNoteText(text, 'note');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new TypeError('a note has no blank line before its signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === '') throw new TypeError('a note has no signature line');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new TypeError(`a note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  return { text, body, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new TypeError('a note signature line starts with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  if (!isNoteKeyName(name)) throw new TypeError('a note signature names no valid key');
  const bytes = decodeBase64(rest.slice(space + 1));
  if (space < 0 || bytes === undefined || bytes.length < 5) throw new TypeError(`the signature of ${name} is not base64 of a key id and a signature`);
  return { name, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4), line: `${line}\n` };
}

/** The body, the blank line and the signature lines (a missing final newline is added to each). */
export function formatNote(body: string, signatureLines: readonly string[]): string {
  assertNoteText(body, 'note body');
  const lines = signatureLines.map((line) => (line.endsWith('\n') ? line : `${line}\n`));
  const text = `${body}\n${lines.join('')}`;
  if (parseNote(text).body !== body) throw new TypeError('a signature line holds a newline');
  return text;
}

/** The signature line (type 0x01) of `name` over `body`. */
export async function signNote(body: string, name: string, privateJwk: JWK): Promise<string> {
  assertNoteText(body, 'note body');
  const { key, publicKey } = await ed25519SigningKey(privateJwk);
  const signature = await crypto.subtle.sign('Ed25519', key, utf8.encode(body));
  return signatureLine(name, noteKeyId(name, NOTE_ED25519, publicKey), Buffer.from(signature));
}

/**
 * True when the note holds a signature line by this key (same name and key id) and every such line
 * verifies over the body. signed-note: a failing signature from a known key rejects the whole note.
 */
export async function verifyNoteSignature(note: Note, key: VerifierKey): Promise<boolean> {
  if (key.type !== NOTE_ED25519) throw new TypeError('verifyNoteSignature needs a note key (type 0x01)');
  const lines = signaturesBy(note, key);
  if (lines.length === 0) return false;
  const publicKey = await ed25519VerifyingKey(key.publicKey);
  const message = utf8.encode(note.body);
  for (const { signature } of lines) {
    if (signature.length !== SIGNATURE_BYTES) return false;
    if (!(await crypto.subtle.verify('Ed25519', publicKey, Uint8Array.from(signature), message))) return false;
  }
  return true;
}

/** A cosignature/v1 line (type 0x04): key id || 8-byte big-endian timestamp || Ed25519 signature. */
export async function cosignCheckpoint(body: string, name: string, privateJwk: JWK, timestamp: number): Promise<string> {
  parseCheckpointBody(body);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError(`the timestamp ${timestamp} is not a POSIX time in seconds`);
  const { key, publicKey } = await ed25519SigningKey(privateJwk);
  const signature = await crypto.subtle.sign('Ed25519', key, cosignedMessage(body, BigInt(timestamp)));
  const stamp = Buffer.alloc(TIMESTAMP_BYTES);
  stamp.writeBigUInt64BE(BigInt(timestamp));
  return signatureLine(name, noteKeyId(name, NOTE_COSIGNATURE_V1, publicKey), Buffer.concat([stamp, Buffer.from(signature)]));
}

/** The timestamp a cosignature line claims, unverified; undefined when it is no cosignature/v1 shape. */
export function cosignatureTimestamp(signature: NoteSignature): number | undefined {
  if (signature.signature.length !== TIMESTAMP_BYTES + SIGNATURE_BYTES) return undefined;
  const timestamp = signature.signature.readBigUInt64BE(0);
  // Larger than 2^53 cannot be a time this century; refusing it keeps timestamps plain numbers.
  if (timestamp > MAX_TIMESTAMP || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(timestamp);
}

/**
 * The cosignature of this cosigner key on the note's checkpoint, if every line by the key (same
 * name and key id) verifies; with several, the latest timestamp.
 */
export async function verifyCosignature(note: Note, key: VerifierKey): Promise<{ readonly timestamp: number } | undefined> {
  if (key.type !== NOTE_COSIGNATURE_V1) throw new TypeError('verifyCosignature needs a cosigner key (type 0x04)');
  const lines = signaturesBy(note, key);
  if (lines.length === 0) return undefined;
  const publicKey = await ed25519VerifyingKey(key.publicKey);
  let latest = -1;
  for (const line of lines) {
    const timestamp = cosignatureTimestamp(line);
    if (timestamp === undefined) return undefined;
    const message = cosignedMessage(note.body, BigInt(timestamp));
    if (!(await crypto.subtle.verify('Ed25519', publicKey, Uint8Array.from(line.signature.subarray(TIMESTAMP_BYTES)), message))) return undefined;
    latest = Math.max(latest, timestamp);
  }
  return { timestamp: latest };
}

/** The broker log's origin line and key name, which the broker and the witnesses derive alike. */
export function defaultLogOrigin(brokerPublicUrl: string): string {
  return `${new URL(brokerPublicUrl).host}/kyc-ledger`;
}

/** The 32 bytes of an Ed25519 JWK's `x`. */
export function ed25519PublicKeyOfJwk(jwk: JWK): Buffer {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || !BASE64URL_KEY.test(jwk.x)) {
    throw new TypeError('the key must be an Ed25519 JWK');
  }
  return Buffer.from(jwk.x, 'base64url');
}

function cosignedMessage(body: string, timestamp: bigint): Uint8Array<ArrayBuffer> {
  return utf8.encode(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

function signatureLine(name: string, keyId: Buffer, signature: Buffer): string {
  return `${SIGNATURE_PREFIX}${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

function signaturesBy(note: Note, key: VerifierKey): NoteSignature[] {
  return note.signatures.filter((s) => s.name === key.name && s.keyId.equals(key.keyId));
}

async function ed25519SigningKey(jwk: JWK): Promise<{ key: CryptoKey; publicKey: Buffer }> {
  const publicKey = ed25519PublicKeyOfJwk(jwk);
  if (typeof jwk.d !== 'string' || !BASE64URL_KEY.test(jwk.d)) throw new TypeError('the signing key is not a private Ed25519 JWK');
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, 'Ed25519');
  if (key instanceof Uint8Array) throw new TypeError('the signing key is not a private Ed25519 JWK');
  return { key, publicKey };
}

async function ed25519VerifyingKey(publicKey: Buffer): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', Uint8Array.from(publicKey), 'Ed25519', false, ['verify']);
}

/** Standard base64 with padding, in its one canonical spelling. */
function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new TypeError('a note must be valid UTF-8');
  }
}

function assertNoteText(text: string, what: string): void {
  if (!text.endsWith('\n')) throw new TypeError(`a ${what} ends with a newline`);
  if (CONTROL.test(text)) throw new TypeError(`a ${what} holds a control character other than newline`);
  if (LONE_SURROGATE.test(text)) throw new TypeError(`a ${what} must be valid UTF-8`);
}

function assertKeyName(name: string): void {
  if (!isNoteKeyName(name)) throw new TypeError('a note key name is non-empty and holds no space, plus or control character');
}

function assertEd25519Type(type: number): void {
  if (type !== NOTE_ED25519 && type !== NOTE_COSIGNATURE_V1) {
    throw new TypeError(`signature type ${type} is not supported (only Ed25519: 0x01 and cosignature/v1: 0x04)`);
  }
}
