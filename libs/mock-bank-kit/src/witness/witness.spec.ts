import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  NOTE_ED25519, consistencyPath, formatCheckpointBody, formatNote, merkleRoot, parseNote, parseVerifierKey, signNote,
  verifierKeyOfJwk, verifyCosignature, verifyNoteSignature,
} from '@kyc/ledger';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../bank/free-port.js';
import { MAX_ADD_CHECKPOINT_BYTES, witnessHandler } from './witness-http.js';
import { originHash, WitnessStore } from './witness-store.js';
import { Witness } from './witness.js';

const ORIGIN = '127.0.0.1:3000/kyc-ledger';
const NOW = 1_700_000_000;

async function ed25519Jwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  return exportJWK(privateKey);
}

const publicOf = ({ d: _d, ...pub }: JWK): JWK => pub;
const leaf = () => createHash('sha256').update(randomBytes(16)).digest('hex');
const base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** A log like the broker's: RFC 9162 leaves, checkpoints signed as notes by the log key. */
class TestLog {
  constructor(
    readonly origin: string,
    readonly jwk: JWK,
    readonly leaves: string[] = [],
  ) {}

  grow(count: number): this {
    for (let i = 0; i < count; i++) this.leaves.push(leaf());
    return this;
  }

  /** Another log that shares the first `size` leaves and then differs. */
  fork(size: number): TestLog {
    return new TestLog(this.origin, this.jwk, this.leaves.slice(0, size));
  }

  body(size = this.leaves.length): string {
    return formatCheckpointBody({ origin: this.origin, size, rootHash: merkleRoot(this.leaves.slice(0, size)) });
  }

  async checkpoint(size = this.leaves.length): Promise<string> {
    const body = this.body(size);
    return formatNote(body, [await signNote(body, this.origin, this.jwk)]);
  }

  proof(from: number, to = this.leaves.length): string[] {
    return from === 0 ? [] : consistencyPath(this.leaves.slice(0, to), from);
  }

  async request(old: number, size = this.leaves.length, proof = this.proof(old, size)): Promise<string> {
    return addCheckpointBody(old, proof, await this.checkpoint(size));
  }
}

function addCheckpointBody(old: number, proof: readonly string[], note: string): string {
  return `${[`old ${old}`, ...proof.map(base64)].join('\n')}\n\n${note}`;
}

describe(Witness.name, () => {
  let stateDir: string;
  let logJwk: JWK;
  let witnessJwk: JWK;
  let log: TestLog;
  let servers: Server[];
  let witness: Witness;
  let url: string;
  let clock: number;

  async function startWitness(dir = stateDir): Promise<{ witness: Witness; url: string }> {
    const started = new Witness({
      name: 'bank-a.mock/witness',
      privateJwk: witnessJwk,
      logs: [{ origin: ORIGIN, publicJwk: publicOf(logJwk) }],
      store: new WitnessStore(dir),
      now: () => clock++,
    });
    const handler = witnessHandler(started);
    const server = createServer((req, res) => void handler(req, res));
    const port = await findFreePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
    return { witness: started, url: `http://127.0.0.1:${port}/witness` };
  }

  async function add(body: string | Uint8Array, base = url): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(`${base}/add-checkpoint`, { method: 'POST', body: typeof body === 'string' ? body : Uint8Array.from(body) });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'witness-spec-'));
    [logJwk, witnessJwk] = [await ed25519Jwk(), await ed25519Jwk()];
    log = new TestLog(ORIGIN, logJwk).grow(10);
    servers = [];
    clock = NOW;
    ({ witness, url } = await startWitness());
  });

  afterEach(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  describe('cosigning', () => {
    it('cosigns a first checkpoint from old size 0 with a cosignature that verifies with the witness vkey', async () => {
      const note = await log.checkpoint();

      const res = await add(addCheckpointBody(0, [], note));

      expect(res).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
      expect(res.text).toMatch(/^— bank-a\.mock\/witness [A-Za-z0-9+/]+=*\n$/);
      // tlog-witness: a client may append the response to the checkpoint and verify the whole note.
      const cosigned = parseNote(note + res.text);
      expect(await verifyCosignature(cosigned, parseVerifierKey(witness.vkey))).toEqual({ timestamp: NOW });
      expect(await verifyNoteSignature(cosigned, parseVerifierKey(verifierKeyOfJwk(ORIGIN, NOTE_ED25519, logJwk)))).toBe(true);
    });

    it('cosigns growth with a valid consistency proof, and the same checkpoint again', async () => {
      expect((await add(await log.request(0))).status).toBe(200);

      log.grow(6);
      expect((await add(await log.request(10))).status).toBe(200);
      log.grow(1);
      expect((await add(await log.request(16))).status).toBe(200);
      expect((await add(await log.request(17))).status).toBe(200);
    });

    it('keeps the latest checkpoint in one JSON file per log, written by rename', async () => {
      await add(await log.request(0));

      const files = await readdir(stateDir);
      const record: unknown = JSON.parse(await readFile(path.join(stateDir, `${originHash(ORIGIN)}.json`), 'utf8'));

      expect(files).toEqual([`${originHash(ORIGIN)}.json`]);
      expect(record).toMatchObject({ origin: ORIGIN, size: 10, root_hash: merkleRoot(log.leaves) });
      const note = parseNote((record as { note: string }).note);
      expect(note.body).toBe(log.body());
      expect(note.signatures.map((s) => s.name)).toEqual([ORIGIN, 'bank-a.mock/witness']);
    });

    it('serves the latest cosigned checkpoint at <prefix>/<origin hash>/checkpoint', async () => {
      expect((await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`)).status).toBe(404);
      await add(await log.request(0));

      const res = await fetch(`${url}/${originHash(ORIGIN)}/checkpoint`);
      const note = parseNote(await res.text());

      expect(res.status).toBe(200);
      expect(note.body).toBe(log.body());
      expect(await verifyCosignature(note, parseVerifierKey(witness.vkey))).toBeDefined();
      expect(await verifyNoteSignature(note, parseVerifierKey(verifierKeyOfJwk(ORIGIN, NOTE_ED25519, logJwk)))).toBe(true);
    });

    it('remembers its state across a restart on the same state folder', async () => {
      await add(await log.request(0));
      const restarted = await startWitness();

      const stale = await add(await log.request(0), restarted.url);
      log.grow(3);
      const grown = await add(await log.request(10), restarted.url);

      expect([stale.status, stale.text]).toEqual([409, '10\n']);
      expect(grown.status).toBe(200);
    });

    it('serializes concurrent add-checkpoints of one log, so exactly one wins a race', async () => {
      const bodies = await Promise.all([3, 4, 5, 6, 7, 8, 9, 10].map((size) => log.request(0, size)));

      const results = await Promise.all(bodies.map((body) => add(body)));

      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      const held = JSON.parse(await readFile(path.join(stateDir, `${originHash(ORIGIN)}.json`), 'utf8')) as { size: number };
      for (const loser of results.filter((r) => r.status !== 200)) expect([loser.status, loser.text]).toEqual([409, `${held.size}\n`]);
      // The spec's race: two extensions of the held size, the smaller one must not roll the other back.
      log.grow(5);
      const [a, b] = await Promise.all([add(await log.request(held.size, 12)), add(await log.request(held.size, 15))]);
      expect([a.status, b.status].sort((x, y) => x - y)).toEqual([200, 409]);
    });
  });

  describe('refusals', () => {
    beforeEach(async () => {
      expect((await add(await log.request(0))).status).toBe(200);
    });

    it('answers 409 with its size when the old size is not the one it holds', async () => {
      log.grow(4);

      const res = await add(await log.request(3));

      expect(res).toEqual({ status: 409, type: 'text/x.tlog.size', text: '10\n' });
    });

    it('refuses a rolled-back log: 409 when it claims the smaller size, 400 when old > size', async () => {
      const truncated = log.fork(7);

      expect(await add(await truncated.request(7, 7, []))).toMatchObject({ status: 409, text: '10\n' });
      expect(await add(await truncated.request(0))).toMatchObject({ status: 409, text: '10\n' });
      expect((await add(addCheckpointBody(10, [], await truncated.checkpoint()))).status).toBe(400);
    });

    it('answers 422 for a forked history presented with a proof from the other tree', async () => {
      const fork = log.fork(5).grow(9);

      const res = await add(await fork.request(10));

      expect(res.status).toBe(422);
      expect(res.text).toMatch(/consistency proof/);
    });

    it('answers 422 for the same size with a different root, or with a proof', async () => {
      const fork = log.fork(5).grow(5);

      expect((await add(await fork.request(10, 10, []))).status).toBe(422);
      expect((await add(await log.request(10, 10, [leaf()]))).status).toBe(422);
      expect((await add(await log.request(10, 10, []))).status).toBe(200);
    });

    it('answers 422 for a proof after old size 0 and for a bad empty tree', async () => {
      const fresh = new TestLog(ORIGIN, logJwk);
      const other = await startWitness(path.join(stateDir, 'other'));
      const emptyBody = formatCheckpointBody({ origin: ORIGIN, size: 0, rootHash: leaf() });

      expect((await add(await log.request(0, 10, [leaf()]), other.url)).status).toBe(422);
      expect((await add(addCheckpointBody(0, [], formatNote(emptyBody, [await signNote(emptyBody, ORIGIN, logJwk)])), other.url)).status).toBe(422);
      expect((await add(await fresh.request(0), other.url)).status).toBe(200);
    });

    it('answers 404 for a log it does not witness', async () => {
      const stranger = new TestLog('other.example/log', logJwk).grow(3);

      expect((await add(await stranger.request(0))).status).toBe(404);
    });

    it('answers 403 unless a signature by the known log key verifies', async () => {
      const impostor = new TestLog(ORIGIN, await ed25519Jwk(), log.leaves);
      const good = await log.checkpoint();
      const [body, line] = [log.body(), good.slice(log.body().length + 1)];
      // One bit of the signature flipped (not of the key id), so the line still names the log's key.
      const [dash, name, sig] = line.trimEnd().split(' ');
      const bytes = Buffer.from(sig ?? '', 'base64');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      const tampered = `${dash ?? ''} ${name ?? ''} ${bytes.toString('base64')}\n`;
      expect(tampered).not.toBe(line);

      expect((await add(await impostor.request(10, 10, []))).status).toBe(403);
      expect((await add(addCheckpointBody(10, [], formatNote(body, [tampered])))).status).toBe(403);
      // A failing signature by the known key makes the note malformed, even beside a good one.
      expect((await add(addCheckpointBody(10, [], formatNote(body, [line, tampered])))).status).toBe(403);
      expect((await add(addCheckpointBody(10, [], formatNote(body, [await signNote(body, 'someone.else', logJwk), line])))).status).toBe(200);
    });

    it('answers 400 for malformed requests', async () => {
      const note = await log.checkpoint();
      const proof = log.grow(2).proof(10).map(base64);
      const grown = await log.checkpoint();
      const bad: Array<string | Uint8Array> = [
        '',
        note,
        `old 10\n${note}`,
        `old 010\n\n${note}`,
        `old -1\n\n${note}`,
        `Old 10\n\n${note}`,
        `old 10 \n\n${note}`,
        `old 10\n${proof.join('\n')}\nnot-base64\n\n${grown}`,
        `old 10\n${proof[0]?.slice(0, -4)}\n\n${grown}`,
        `old 10\n${Array.from({ length: 64 }, () => base64(leaf())).join('\n')}\n\n${grown}`,
        `old 10\n\n${log.body()}`,
        `old 10\n\n${log.body().replace('\n12\n', '\n012\n')}\n${note.slice(note.indexOf('—'))}`,
        Buffer.concat([Buffer.from(`old 10\n\n`), Buffer.from([0xff]), Buffer.from(note)]),
      ];

      for (const body of bad) expect((await add(body)).status, JSON.stringify(String(body))).toBe(400);
      expect((await add(`old 10\n${proof.join('\n')}\n\n${grown}`)).status).toBe(200);
    });

    it('limits the body to 64 KiB and answers other methods and paths as HTTP says', async () => {
      const big = `old 10\n\n${await log.checkpoint()}`.padEnd(MAX_ADD_CHECKPOINT_BYTES + 1, '\n');

      expect((await add(big)).status).toBe(413);
      const get = await fetch(`${url}/add-checkpoint`);
      expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
      expect((await fetch(`${url}/unknown`)).status).toBe(404);
    });
  });
});
