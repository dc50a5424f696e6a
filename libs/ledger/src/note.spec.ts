import { createPrivateKey } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT } from './merkle.js';
import {
  NOTE_COSIGNATURE_V1, NOTE_ED25519, cosignCheckpoint, cosignatureTimestamp, defaultLogOrigin, formatCheckpointBody, formatNote,
  noteKeyId, parseCheckpointBody, parseNote, parseVerifierKey, signNote, verifierKey, verifierKeyOfJwk, verifyCosignature,
  verifyNoteSignature, type Note,
} from './note.js';

// Vector data of golang.org/x/mod/sumdb/note (note_test.go), an independent implementation.
const GO = {
  skey: 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  peterKey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  enochKey: 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop',
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  peterSig: '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
  enochSig: '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n',
  wrongLengthKey: 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
  unknownAlgorithmKey: 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
};

// Examples of the C2SP documents.
const C2SP = {
  vkey: 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
  note: 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n',
  checkpoint: 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  checkpointRoot: '0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62',
  logSig: '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n',
  cosig: '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n',
  cosigTime: 1679315147,
};

/** Peter's private key of the Go vectors as a JWK, its `x` derived by Node from the seed alone. */
function peterJwk(): JWK {
  const seed = Buffer.from(GO.skey.split('+').slice(4).join('+'), 'base64').subarray(1);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
}

async function freshJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  return exportJWK(privateKey);
}

const publicOf = ({ d: _d, ...pub }: JWK): JWK => pub;
const checkpoint = formatCheckpointBody({ origin: 'broker.example/kyc-ledger', size: 3, rootHash: 'ab'.repeat(32) });

describe('signed notes against golang.org/x/mod/sumdb/note', () => {
  it('derives the Go vkey from the private key', () => {
    const sut = verifierKeyOfJwk('PeterNeumann', NOTE_ED25519, peterJwk());

    expect(sut).toBe(GO.peterKey);
    expect(noteKeyId('PeterNeumann', NOTE_ED25519, parseVerifierKey(GO.peterKey).publicKey).toString('hex')).toBe('c74f20a3');
  });

  it('signs the Go note byte for byte', async () => {
    const line = await signNote(GO.text, 'PeterNeumann', peterJwk());

    expect(line).toBe(GO.peterSig);
    expect(formatNote(GO.text, [line])).toBe(`${GO.text}\n${GO.peterSig}`);
  });

  it('verifies both Go signatures with their vkeys and ignores the unknown one', async () => {
    const sut = parseNote(`${GO.text}\n${GO.peterSig}${GO.enochSig}`);

    expect(sut.body).toBe(GO.text);
    expect(sut.signatures.map((s) => [s.name, s.keyId.toString('hex')])).toEqual([['PeterNeumann', 'c74f20a3'], ['EnochRoot', 'af0cfe78']]);
    expect(sut.signatures[1]?.line).toBe(GO.enochSig);
    expect(await verifyNoteSignature(sut, parseVerifierKey(GO.peterKey))).toBe(true);
    expect(await verifyNoteSignature(sut, parseVerifierKey(GO.enochKey))).toBe(true);
    expect(await verifyNoteSignature(parseNote(`${GO.text}\n${GO.enochSig}`), parseVerifierKey(GO.peterKey))).toBe(false);
  });

  it('refuses every proper substring and every one-byte change of the Go vkey', () => {
    const valid = (vkey: string) => {
      try {
        parseVerifierKey(vkey);
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return false;
      }
    };
    const key = GO.peterKey;
    const accepted: string[] = [];
    for (let i = 0; i < key.length; i++) {
      for (let j = i + 1; j <= key.length; j++) if ((i !== 0 || j !== key.length) && valid(key.slice(i, j))) accepted.push(key.slice(i, j));
      const changed = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
      if (valid(changed)) accepted.push(changed);
    }

    expect(accepted).toEqual([]);
    // Go's decoder takes the stray final bits of "BADKEY=="; ours refuses any non-canonical base64 first.
    expect(() => parseVerifierKey(GO.wrongLengthKey)).toThrow(TypeError);
    expect(() => parseVerifierKey(`${GO.peterKey}AA==`)).toThrow(/32 bytes/);
    expect(() => parseVerifierKey(GO.unknownAlgorithmKey)).toThrow(/not supported/);
  });

  it('refuses a tampered signature, body or key id', async () => {
    const key = parseVerifierKey(GO.peterKey);
    const tamperedSig = GO.peterSig.slice(0, 60) + 'ABCD' + GO.peterSig.slice(64);
    const otherId = GO.peterSig.replace('x08g', 'xxxx');

    expect(await verifyNoteSignature(parseNote(`${GO.text}\n${tamperedSig}`), key)).toBe(false);
    expect(await verifyNoteSignature(parseNote(`${GO.text.replace('answer', 'Answer')}\n${GO.peterSig}`), key)).toBe(false);
    expect(await verifyNoteSignature(parseNote(`${GO.text}\n${otherId}`), key)).toBe(false);
    // signed-note: a failing signature from a known key rejects the note, even beside a good one.
    expect(await verifyNoteSignature(parseNote(`${GO.text}\n${GO.peterSig}${tamperedSig}`), key)).toBe(false);
  });

  it('refuses the malformed Go notes with a TypeError', () => {
    const malformed: Array<string | Uint8Array> = [
      GO.text,
      `${GO.text}\n`,
      `${GO.text}\n${GO.peterSig.slice(0, -1)}`,
      `\u0001${GO.text}\n${GO.peterSig}`,
      Buffer.concat([Buffer.from([0xff]), Buffer.from(`${GO.text}\n${GO.peterSig}`)]),
      `${GO.text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${GO.text}\n${GO.peterSig}Unexpected line.\n`,
      `${GO.text}\n${GO.peterSig.repeat(101)}`,
    ];

    for (const note of malformed) expect(() => parseNote(note), JSON.stringify(String(note))).toThrow(TypeError);
    expect(parseNote(Buffer.from(`${GO.text}\n${GO.peterSig}`)).body).toBe(GO.text);
  });
});

describe('signed notes against the C2SP examples', () => {
  it('verifies the signed-note example with its vkey', async () => {
    const key = parseVerifierKey(C2SP.vkey);

    expect([key.name, key.type, key.keyId.toString('hex')]).toEqual(['example.com/foo', NOTE_ED25519, '530d903a']);
    expect(verifierKey(key.name, key.type, key.publicKey)).toBe(C2SP.vkey);
    expect(await verifyNoteSignature(parseNote(C2SP.note), key)).toBe(true);
  });

  it('parses the tlog-checkpoint example and formats it back', () => {
    const sut = parseCheckpointBody(C2SP.checkpoint);

    expect(sut).toEqual({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: C2SP.checkpointRoot, extensions: [] });
    expect(formatCheckpointBody(sut)).toBe(C2SP.checkpoint);
  });

  it('reads the timestamp of the tlog-cosignature example', () => {
    const sut = parseNote(`${C2SP.checkpoint}\n${C2SP.logSig}${C2SP.cosig}`);

    expect(sut.body).toBe(C2SP.checkpoint);
    expect(sut.signatures.map((s) => s.name)).toEqual(['example.com/behind-the-sofa', 'witness.example.com/w1']);
    expect(sut.signatures[1] && cosignatureTimestamp(sut.signatures[1])).toBe(C2SP.cosigTime);
  });
});

describe('verifier keys', () => {
  it('gives the same vkey for a private JWK and its public part, and another key id per type', async () => {
    const jwk = await freshJwk();
    const note = verifierKeyOfJwk('bank-a.mock/witness', NOTE_ED25519, jwk);
    const cosigner = verifierKeyOfJwk('bank-a.mock/witness', NOTE_COSIGNATURE_V1, publicOf(jwk));

    expect(verifierKeyOfJwk('bank-a.mock/witness', NOTE_ED25519, publicOf(jwk))).toBe(note);
    expect(parseVerifierKey(cosigner).publicKey).toEqual(parseVerifierKey(note).publicKey);
    expect(parseVerifierKey(cosigner).keyId).not.toEqual(parseVerifierKey(note).keyId);
    expect(parseVerifierKey(cosigner).type).toBe(NOTE_COSIGNATURE_V1);
  });

  it('refuses bad names, key ids, lengths and keys', async () => {
    const pub = parseVerifierKey(C2SP.vkey).publicKey;

    expect(() => verifierKey('a b', NOTE_ED25519, pub)).toThrow(TypeError);
    expect(() => verifierKey('a+b', NOTE_ED25519, pub)).toThrow(TypeError);
    expect(() => verifierKey('', NOTE_ED25519, pub)).toThrow(TypeError);
    expect(() => verifierKey('a\u3000b', NOTE_ED25519, pub)).toThrow(TypeError);
    expect(() => verifierKey('a', 0x02, pub)).toThrow(/not supported/);
    expect(() => verifierKey('a', NOTE_ED25519, pub.subarray(1))).toThrow(/32 bytes/);
    expect(() => parseVerifierKey(C2SP.vkey.replace('530d903a', '530D903A'))).toThrow(/hex/);
    expect(() => parseVerifierKey(C2SP.vkey.replace('530d903a', '530d903b'))).toThrow(/does not match/);
    expect(() => parseVerifierKey('example.com/foo+530d903a')).toThrow(TypeError);
    expect(() => verifierKeyOfJwk('a', NOTE_ED25519, { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' })).toThrow(/Ed25519/);
  });
});

describe('checkpoint bodies', () => {
  it('round-trips sizes, roots and extension lines', () => {
    const body = { origin: 'example.com/log', size: 0, rootHash: EMPTY_TREE_ROOT, extensions: ['ext one', 'two'] };

    const sut = formatCheckpointBody(body);

    expect(sut).toBe('example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\ntwo\n');
    expect(parseCheckpointBody(sut)).toEqual(body);
  });

  it('refuses anything but the strict form with a TypeError', () => {
    const root = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
    const bad = [
      `o\n1\n${root}`, // no final newline
      `o\n1\n`,
      `\n1\n${root}\n`,
      `o\n01\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n1.0\n${root}\n`,
      `o\n 1\n${root}\n`,
      `o\n${'9'.repeat(20)}\n${root}\n`,
      `o\n1\n${root.slice(0, -1)}\n`,
      `o\n1\n47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=\n`,
      `o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n`, // non-canonical final bits
      `o\n1\nAAAA\n`,
      `o\n1\n${root}\n\n`,
      `o\n1\n${root}\next\n\nmore\n`,
      `o\t\n1\n${root}\n`,
    ];

    for (const text of bad) expect(() => parseCheckpointBody(text), JSON.stringify(text)).toThrow(TypeError);
    expect(() => formatCheckpointBody({ origin: 'o', size: 1, rootHash: 'AB'.repeat(32) })).toThrow(TypeError);
    expect(() => formatCheckpointBody({ origin: 'a\nb', size: 1, rootHash: EMPTY_TREE_ROOT })).toThrow(TypeError);
    expect(() => formatCheckpointBody({ origin: 'o', size: 1.5, rootHash: EMPTY_TREE_ROOT })).toThrow(TypeError);
  });
});

describe('notes', () => {
  it('round-trips a note with several signatures and empty lines in the body', async () => {
    const [a, b] = [await freshJwk(), await freshJwk()];
    const body = 'first\n\nthird\n';

    const text = formatNote(body, [await signNote(body, 'a.example/one', a), (await signNote(body, 'b.example/two', b)).trimEnd()]);
    const sut = parseNote(text);

    expect(sut.body).toBe(body);
    expect(sut.signatures.map((s) => s.name)).toEqual(['a.example/one', 'b.example/two']);
    expect(await verifyNoteSignature(sut, parseVerifierKey(verifierKeyOfJwk('a.example/one', NOTE_ED25519, a)))).toBe(true);
    expect(await verifyNoteSignature(sut, parseVerifierKey(verifierKeyOfJwk('b.example/two', NOTE_ED25519, b)))).toBe(true);
    // Same key under another name: another key id, so not this key's signature.
    expect(await verifyNoteSignature(sut, parseVerifierKey(verifierKeyOfJwk('a.example/other', NOTE_ED25519, a)))).toBe(false);
  });

  it('refuses to sign or format what is no note', async () => {
    const jwk = await freshJwk();

    await expect(signNote('no newline', 'a', jwk)).rejects.toThrow(TypeError);
    await expect(signNote('x\n', 'a b', jwk)).rejects.toThrow(TypeError);
    await expect(signNote('x\n', 'a', publicOf(jwk))).rejects.toThrow(/private/);
    expect(() => formatNote('x\n', [])).toThrow(TypeError);
    expect(() => formatNote('x', ['— a AAAAAAA=\n'])).toThrow(TypeError);
    expect(() => formatNote('x\n', ['— a AAAAAAA=\n\n'])).toThrow(TypeError);
  });

  it('refuses the wrong key type instead of answering false', async () => {
    const note = parseNote(C2SP.note);
    const cosigner = parseVerifierKey(verifierKeyOfJwk('example.com/foo', NOTE_COSIGNATURE_V1, await freshJwk()));

    await expect(verifyNoteSignature(note, cosigner)).rejects.toThrow(TypeError);
    await expect(verifyCosignature(note, parseVerifierKey(C2SP.vkey))).rejects.toThrow(TypeError);
  });
});

describe('cosignatures', () => {
  async function cosigner(name = 'bank-a.mock/witness') {
    const jwk = await freshJwk();
    return { jwk, key: parseVerifierKey(verifierKeyOfJwk(name, NOTE_COSIGNATURE_V1, jwk)), noteKey: parseVerifierKey(verifierKeyOfJwk(name, NOTE_ED25519, jwk)) };
  }

  it('carries the timestamp and verifies with the cosigner vkey', async () => {
    const { jwk, key } = await cosigner();

    const line = await cosignCheckpoint(checkpoint, key.name, jwk, 1_700_000_000);
    const sut = parseNote(formatNote(checkpoint, [line]));

    expect(sut.signatures[0]?.keyId).toEqual(key.keyId);
    expect(sut.signatures[0]?.signature).toHaveLength(72);
    expect(sut.signatures[0]?.signature.readBigUInt64BE(0)).toBe(1_700_000_000n);
    expect(await verifyCosignature(sut, key)).toEqual({ timestamp: 1_700_000_000 });
  });

  it('signs the cosignature/v1 message of the spec', async () => {
    const { jwk, key } = await cosigner();
    const line = await cosignCheckpoint(checkpoint, key.name, jwk, 1679315147);
    const signature = parseNote(formatNote(checkpoint, [line])).signatures[0]?.signature.subarray(8) ?? Buffer.alloc(0);
    const message = new TextEncoder().encode(`cosignature/v1\ntime 1679315147\n${checkpoint}`);
    const publicKey = await crypto.subtle.importKey('raw', Uint8Array.from(key.publicKey), 'Ed25519', false, ['verify']);

    expect(await crypto.subtle.verify('Ed25519', publicKey, Uint8Array.from(signature), message)).toBe(true);
  });

  it('refuses a changed timestamp, body or signature', async () => {
    const { jwk, key } = await cosigner();
    const line = await cosignCheckpoint(checkpoint, key.name, jwk, 1_700_000_000);
    const bytes = parseNote(formatNote(checkpoint, [line])).signatures[0]?.signature ?? Buffer.alloc(0);
    const relined = (sig: Buffer) => `— ${key.name} ${Buffer.concat([key.keyId, sig]).toString('base64')}\n`;
    const later = Buffer.from(bytes);
    later.writeBigUInt64BE(1_700_000_001n);
    const flipped = Buffer.from(bytes);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    const otherBody = formatCheckpointBody({ ...parseCheckpointBody(checkpoint), size: 4 });

    expect(await verifyCosignature(parseNote(formatNote(checkpoint, [relined(later)])), key)).toBeUndefined();
    expect(await verifyCosignature(parseNote(formatNote(checkpoint, [relined(flipped)])), key)).toBeUndefined();
    expect(await verifyCosignature(parseNote(formatNote(otherBody, [line])), key)).toBeUndefined();
    expect(await verifyCosignature(parseNote(formatNote(checkpoint, [line, relined(flipped)])), key)).toBeUndefined();
  });

  it('keeps note signatures and cosignatures apart even with the same key and name', async () => {
    const { jwk, key, noteKey } = await cosigner();
    const cosignature = await cosignCheckpoint(checkpoint, key.name, jwk, 1_700_000_000);
    const signature = await signNote(checkpoint, key.name, jwk);
    const cosigBytes = parseNote(formatNote(checkpoint, [cosignature])).signatures[0]?.signature ?? Buffer.alloc(0);
    const sigBytes = parseNote(formatNote(checkpoint, [signature])).signatures[0]?.signature ?? Buffer.alloc(0);
    const as = (keyId: Buffer, bytes: Buffer) => parseNote(formatNote(checkpoint, [`— ${key.name} ${Buffer.concat([keyId, bytes]).toString('base64')}`]));
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(1_700_000_000n);

    // The key ids differ, so each line is simply not by the other key type...
    expect(await verifyNoteSignature(parseNote(formatNote(checkpoint, [cosignature])), noteKey)).toBe(false);
    expect(await verifyCosignature(parseNote(formatNote(checkpoint, [signature])), key)).toBeUndefined();
    // ...and with the key ids swapped the signed messages still differ.
    expect(await verifyNoteSignature(as(noteKey.keyId, cosigBytes), noteKey)).toBe(false);
    expect(await verifyNoteSignature(as(noteKey.keyId, cosigBytes.subarray(8)), noteKey)).toBe(false);
    expect(await verifyCosignature(as(key.keyId, Buffer.concat([stamp, sigBytes])), key)).toBeUndefined();
    expect(await verifyCosignature(as(key.keyId, sigBytes), key)).toBeUndefined();
  });

  it('refuses to cosign what is no checkpoint or without a valid time', async () => {
    const { jwk } = await cosigner();

    await expect(cosignCheckpoint('hello\n', 'w', jwk, 1)).rejects.toThrow(TypeError);
    await expect(cosignCheckpoint(checkpoint, 'w', jwk, -1)).rejects.toThrow(TypeError);
    await expect(cosignCheckpoint(checkpoint, 'w', jwk, 1.5)).rejects.toThrow(TypeError);
  });

  it('reads no timestamp from a line of the wrong length or beyond 2^53', () => {
    const line = (bytes: Buffer) => parseNote(formatNote(checkpoint, [`— w ${Buffer.concat([Buffer.alloc(4), bytes]).toString('base64')}`])).signatures[0];
    const huge = Buffer.alloc(72);
    huge.writeBigUInt64BE(2n ** 63n);
    const sig = (n: Note['signatures'][number] | undefined) => (n ? cosignatureTimestamp(n) : 'missing');

    expect(sig(line(Buffer.alloc(64)))).toBeUndefined();
    expect(sig(line(huge))).toBeUndefined();
    expect(sig(line(Buffer.alloc(72)))).toBe(0);
  });
});

describe(defaultLogOrigin.name, () => {
  it('is the host of the broker URL and /kyc-ledger', () => {
    expect(defaultLogOrigin('http://127.0.0.1:3000')).toBe('127.0.0.1:3000/kyc-ledger');
    expect(defaultLogOrigin('https://broker.example/')).toBe('broker.example/kyc-ledger');
  });
});
