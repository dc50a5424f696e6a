import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { leafHash, type LedgerEntry } from './entry.js';
import { consistencyPath, merkleRoot } from './merkle.js';
import { cosignCheckpoint, formatCheckpointBody, formatNote, NOTE_COSIGNATURE_V1, NOTE_ED25519, signNote, verifierKeyOfJwk } from './note.js';
import { monitorStateSchema, runLedgerMonitor, type MonitorState, type RunMonitorOptions } from './verifier.js';

const ORIGIN = 'broker.test/kyc-ledger';
const AUDITOR_KEY = 'aud_test_key_0123456789';

interface KeyPair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

interface Witness {
  readonly name: string;
  readonly keys: KeyPair;
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

const logVkey = (keys: KeyPair, name = ORIGIN): string => verifierKeyOfJwk(name, NOTE_ED25519, keys.publicJwk);
const witnessVkey = (w: Witness): string => verifierKeyOfJwk(w.name, NOTE_COSIGNATURE_V1, w.keys.publicJwk);

function newEntry(seq: number): LedgerEntry {
  return {
    seq,
    type: seq % 3 === 0 ? 'consent.granted' : 'identity.released',
    occurred_at: new Date(Date.UTC(2026, 11, 1) + seq * 1000).toISOString(),
    enterprise_id: `ent_${seq % 7}`,
    bank_id: seq % 2 === 0 ? 'bank-a' : 'bank-b',
    verification_id: `ver_${seq}`,
    purpose: 'account_opening',
    outcome: 'ok',
    request_id: `req_${seq}`,
    ...(seq % 3 === 0 ? {} : { claims: ['family_name', 'given_name'] }),
  };
}

/**
 * The broker as the monitor sees it, in memory: entries and the leaf hashes it stored for them,
 * checkpoints signed with a log key under the origin and cosigned by witnesses. Each test bends it.
 */
class FakeBroker {
  entries: LedgerEntry[] = [];
  leaves: string[] = [];
  signer: KeyPair;
  cosigners: Witness[];
  latest: string | undefined;
  posts = 0;
  exports = 0;
  /** Rows the export leaves out, by seq. */
  readonly skipped = new Set<number>();
  /** After the last row, keep the response open and trickle further rows: a client that buffers never finishes. */
  endless = false;
  exportsClosedEarly = 0;
  exportChunks = 0;
  private server: Server | undefined;

  constructor(signer: KeyPair, cosigners: Witness[]) {
    this.signer = signer;
    this.cosigners = cosigners;
  }

  append(count: number): void {
    for (let i = 0; i < count; i++) {
      const entry = newEntry(this.entries.length);
      this.entries.push(entry);
      this.leaves.push(leafHash(entry));
    }
  }

  /** What an insider with the keys would do: change an entry, re-hash it, rebuild the tree (and re-sign at the next checkpoint). */
  rewrite(seq: number, change: Partial<LedgerEntry>): void {
    this.entries[seq] = { ...(this.entries[seq] as LedgerEntry), ...change };
    this.leaves = this.entries.map(leafHash);
  }

  async checkpoint(): Promise<string> {
    const body = formatCheckpointBody({ origin: ORIGIN, size: this.leaves.length, rootHash: merkleRoot(this.leaves) });
    const now = Math.floor(Date.now() / 1000);
    const lines = [
      await signNote(body, ORIGIN, this.signer.privateJwk),
      ...(await Promise.all(this.cosigners.map((w) => cosignCheckpoint(body, w.name, w.keys.privateJwk, now)))),
    ];
    this.latest = formatNote(body, lines);
    return this.latest;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.headers.authorization !== `Bearer ${AUDITOR_KEY}`) return json(res, 401, { code: 'UNAUTHENTICATED' });
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /v1/audit/checkpoints') {
      this.posts += 1;
      const note = await this.checkpoint();
      return json(res, 201, { tree_size: this.leaves.length, root_hash: merkleRoot(this.leaves), timestamp: new Date().toISOString(), note, cosignatures: [] });
    }
    if (route === 'GET /v1/audit/checkpoints/latest') {
      if (this.latest === undefined) return json(res, 404, { code: 'NOT_FOUND' });
      if (!(req.headers.accept ?? '').includes('text/plain')) return json(res, 200, { note: this.latest });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(this.latest);
      return undefined;
    }
    if (route === 'GET /v1/audit/proofs/consistency') {
      const [from, to] = [Number(url.searchParams.get('from')), Number(url.searchParams.get('to'))];
      if (!(from >= 1 && from <= to && to <= this.leaves.length)) return json(res, 400, { code: 'INVALID_REQUEST' });
      return json(res, 200, { from, to, proof: consistencyPath(this.leaves.slice(0, to), from) });
    }
    if (route === 'GET /v1/audit/export' && url.searchParams.get('format') === 'ndjson') return this.export(res);
    return json(res, 404, { code: 'NOT_FOUND' });
  }

  /** Like the broker: pages of rows written with backpressure, the entry as stored next to the stored leaf hash. */
  private async export(res: ServerResponse): Promise<void> {
    this.exports += 1;
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const row = (seq: number): string => `{"entry":${JSON.stringify(this.entries[seq] ?? newEntry(seq))},"leaf_hash":"${this.leaves[seq] ?? leafHash(newEntry(seq))}"}\n`;
    const seqs = this.entries.map((e) => e.seq).filter((seq) => !this.skipped.has(seq));
    for (let i = 0; i < seqs.length && !closed; i += 500) {
      this.exportChunks += 1;
      await write(res, seqs.slice(i, i + 500).map(row).join(''));
    }
    // Bounded: a client that never stops reading fails the test by its timeout, not by hanging the suite.
    for (let seq = this.entries.length, rounds = 0; this.endless && !closed && rounds < 200; seq++, rounds++) {
      await write(res, row(seq));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (closed) this.exportsClosedEarly += 1;
    else res.end();
  }
}

function json(res: ServerResponse, status: number, body: unknown): undefined {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return undefined;
}

function write(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.write(chunk)) return resolve();
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

let logKeys: KeyPair;
let otherKeys: KeyPair;
let witnesses: Witness[];
let broker: FakeBroker;
let url: string;
let dir: string;
let statePath: string;

beforeAll(async () => {
  logKeys = await newKeyPair();
  otherKeys = await newKeyPair();
  witnesses = [
    { name: 'witness-one.test', keys: await newKeyPair() },
    { name: 'witness-two.test', keys: await newKeyPair() },
    { name: 'witness-three.test', keys: await newKeyPair() },
  ];
});

beforeEach(async () => {
  broker = new FakeBroker(logKeys, witnesses.slice(0, 2));
  broker.append(10);
  url = await broker.start();
  dir = await mkdtemp(join(tmpdir(), 'ledger-monitor-'));
  statePath = join(dir, 'state.json');
});

afterEach(async () => {
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
});


const pinned = { logKey: (): string => logVkey(logKeys), witnesses: (): string[] => witnesses.slice(0, 2).map(witnessVkey) };

function run(options: Partial<RunMonitorOptions> = {}): ReturnType<typeof runLedgerMonitor> {
  return runLedgerMonitor({ url, key: AUDITOR_KEY, statePath, ...options });
}

/** The first run every later case starts from: keys pinned by flags, the checkpoint of 10 trusted on first use. */
async function firstRun(): Promise<MonitorState> {
  const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses() });
  expect(result.report?.problems).toEqual([]);
  expect(result.exitCode).toBe(0);
  return readState();
}

async function readState(): Promise<MonitorState> {
  return monitorStateSchema.parse(JSON.parse(await readFile(statePath, 'utf8')));
}

describe(runLedgerMonitor.name, () => {
  it('verifies a first run and remembers the checkpoint and the pinned keys', async () => {
    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses() });

    expect(result.exitCode).toBe(0);
    expect(result.report).toEqual({
      ok: true,
      origin: ORIGIN,
      tree_size: 10,
      previous_size: null,
      first_use: true,
      cosignatures: 2,
      cosigned_by: ['witness-one.test', 'witness-two.test'],
      quorum: 2,
      entries: 10,
      problems: [],
    });
    const state = await readState();
    const log = state.logs[ORIGIN];
    expect(log?.log_key).toBe(pinned.logKey());
    expect(log?.witnesses).toEqual(pinned.witnesses());
    expect(log?.quorum).toBe(2);
    expect(log?.checkpoint).toMatchObject({ size: 10, root_hash: merkleRoot(broker.leaves), note: broker.latest });
    expect(broker.posts).toBe(1);
  });

  it('verifies growth with a consistency proof from the remembered checkpoint, keys read from the state', async () => {
    await firstRun();
    broker.append(27);

    const result = await run();

    expect(result.report).toMatchObject({ ok: true, tree_size: 37, previous_size: 10, first_use: false, entries: 37, problems: [] });
    expect(result.exitCode).toBe(0);
    expect((await readState()).logs[ORIGIN]?.checkpoint).toMatchObject({ size: 37, root_hash: merkleRoot(broker.leaves) });
  });

  it('catches history rewritten and re-signed with the real keys, which a monitor without state would accept', async () => {
    const before = await firstRun();
    broker.rewrite(3, { outcome: 'denied' });
    broker.append(5);

    const result = await run();

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual(['checkpoint 15 is not consistent with the remembered checkpoint 10 (history rewritten)']);
    expect(result.report?.cosignatures).toBe(2);
    expect(await readState()).toEqual(before);
    // The broker's own signature, the witnesses' and every entry check out: only memory catches it.
    const stateless = await run({ statePath: join(dir, 'fresh.json'), logKey: pinned.logKey(), witnesses: pinned.witnesses() });
    expect(stateless.report?.problems).toEqual([]);
  });

  it('catches history rewritten at the same size', async () => {
    await firstRun();
    broker.rewrite(9, { purpose: 'marketing' });

    const result = await run();

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual(['checkpoint 10 has another root than the remembered checkpoint 10 (history rewritten)']);
  });

  it('catches a rollback to a smaller tree', async () => {
    const before = await firstRun();
    broker.entries.splice(8);
    broker.leaves.splice(8);

    const result = await run();

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual(['checkpoint 8 is smaller than the remembered checkpoint 10 (rollback)']);
    expect(await readState()).toEqual(before);
  });

  it('refuses a checkpoint without a quorum of distinct pinned witnesses', async () => {
    const forged: Witness = { name: 'witness-two.test', keys: otherKeys };
    broker.cosigners = [witnesses[0] as Witness, witnesses[2] as Witness, forged];

    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses() });

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual(['checkpoint 10 has 1 valid cosignature from pinned witnesses; the quorum is 2']);
    expect(result.report?.cosigned_by).toEqual(['witness-one.test']);
    await expect(readFile(statePath)).rejects.toThrow(/ENOENT/);
    expect((await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses(), quorum: 1 })).exitCode).toBe(0);
  });

  it('refuses a checkpoint signed by a key that is not pinned, even under the log name', async () => {
    broker.signer = otherKeys;

    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses() });

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toHaveLength(1);
    expect(result.report?.problems[0]).toMatch(/^checkpoint 10 is not signed by the pinned log key broker\.test\/kyc-ledger\+[0-9a-f]{8} \(signed by: /);
    expect(result.report?.tree_size).toBeNull();
    expect(broker.exports).toBe(0);
  });

  it('refuses a checkpoint of another log', async () => {
    const result = await run({ logKey: logVkey(logKeys, 'other.test/log'), witnesses: pinned.witnesses() });

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual([`the checkpoint's origin "${ORIGIN}" is not the pinned log "other.test/log"`]);
  });

  it("catches an entry whose content no longer matches the leaf hash the broker kept (the database tamper)", async () => {
    await firstRun();
    (broker.entries[4] as LedgerEntry).purpose = 'marketing';

    const result = await run({ newCheckpoint: false });

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual(['entry 4: content does not match its leaf hash', 'tree of 10: recomputed root differs from the signed root']);
    expect(broker.posts).toBe(1);
  });

  it('catches a gap in the exported entries', async () => {
    broker.skipped.add(5);

    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses() });

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual(['entry 5: missing from the export']);
    expect(result.report?.entries).toBe(5);
  });

  it('catches an export that ends before the checkpoint', async () => {
    await broker.checkpoint();
    broker.append(2);
    broker.skipped.add(9).add(10).add(11);

    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses(), newCheckpoint: false });

    expect(result.report?.problems).toEqual(['the export ended after 9 of the checkpoint\'s 10 entries']);
  });

  it('refuses flags that disagree with the pinned state unless told to repin, and then keeps the remembered checkpoint', async () => {
    const before = await firstRun();
    const others = [witnesses[0] as Witness, witnesses[2] as Witness].map(witnessVkey);

    const refused = [await run({ witnesses: others }), await run({ quorum: 1 }), await run({ logKey: logVkey(otherKeys) })];

    expect(refused.map((r) => r.exitCode)).toEqual([2, 2, 2]);
    expect(refused[0]?.error).toBe(`the flags disagree with the keys pinned in the state file for ${ORIGIN} (the witnesses): pass --repin to replace them`);
    expect(refused[1]?.error).toContain('the quorum (2 pinned, 1 asked)');
    expect(refused[2]?.error).toContain('the log key');
    expect(await readState()).toEqual(before);

    broker.cosigners = [witnesses[0] as Witness, witnesses[2] as Witness];
    broker.append(1);
    const repinned = await run({ witnesses: others, quorum: 1, repin: true });

    expect(repinned.report).toMatchObject({ ok: true, previous_size: 10, tree_size: 11, quorum: 1 });
    expect((await readState()).logs[ORIGIN]).toMatchObject({ witnesses: others, quorum: 1, checkpoint: { size: 11 } });
    expect((await run({ logKey: pinned.logKey(), witnesses: others, quorum: 1 })).exitCode).toBe(0);
  });

  it('answers usage errors without asking the broker: no key pinned, keys that are not keys, an impossible quorum, a broken state file', async () => {
    const errors = [
      await run(),
      await run({ logKey: 'not a key' }),
      await run({ logKey: witnessVkey(witnesses[0] as Witness) }),
      await run({ logKey: pinned.logKey(), witnesses: [pinned.logKey()] }),
      await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses(), quorum: 3 }),
    ];
    await writeFile(statePath, '{"version":1,"logs":{"x":{}}}');
    errors.push(await run({ logKey: pinned.logKey() }));

    expect(errors.map((e) => e.exitCode)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(errors.map((e) => e.error)).toEqual([
      'no log key pinned: pass --log-key <vkey> on the first run',
      '--log-key: "not a key" is not a note verifier key (name+keyid+base64 key)',
      '--log-key: the key witness-one.test is not an Ed25519 note key (type 0x01)',
      `--witness: the key ${ORIGIN} is not a cosignature/v1 key (type 0x04)`,
      'a quorum of 3 cannot be met by 2 pinned witnesses',
      expect.stringContaining('is not a ledger monitor state'),
    ]);
    expect(broker.posts + broker.exports).toBe(0);
  });

  it('checks the latest checkpoint without making one, and skips the entries when asked', async () => {
    await broker.checkpoint();
    broker.append(3);

    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses(), newCheckpoint: false, entries: false });

    expect(result.report).toMatchObject({ ok: true, tree_size: 10, entries: null });
    expect(broker.posts).toBe(0);
    expect(broker.exports).toBe(0);
  });

  it('reports a broker that cannot be reached as a problem, not a crash', async () => {
    const result = await run({ url: 'http://127.0.0.1:9', logKey: pinned.logKey(), witnesses: pinned.witnesses() });

    expect(result.exitCode).toBe(1);
    expect(result.report?.problems).toEqual([expect.stringMatching(/^cannot complete the check: POST \/v1\/audit\/checkpoints failed: /)]);
  });

  it('streams 20,000 entries in constant memory and stops reading at the checkpoint size', async () => {
    broker.append(20_000 - broker.entries.length);
    broker.endless = true;
    let progressCalls = 0;

    const result = await run({ logKey: pinned.logKey(), witnesses: pinned.witnesses(), onProgress: () => void (progressCalls += 1) });

    expect(result.report).toMatchObject({ ok: true, tree_size: 20_000, entries: 20_000, problems: [] });
    // The export never ends by itself: only a reader that streams and aborts at 20,000 gets here.
    await expect.poll(() => broker.exportsClosedEarly).toBe(1);
    expect(broker.exportChunks).toBe(40);
    expect(progressCalls).toBe(20_000);
  }, 30_000);
});
