import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import {
  NOTE_COSIGNATURE_V1, NOTE_ED25519, consistencyPath, formatCheckpointBody, formatNote, leafHash, merkleRoot, parseNote, parseVerifierKey,
  runLedgerMonitor, signNote, verifierKeyOfJwk, verifyCosignature, verifyInclusion, type LedgerEntry, type NewLedgerEntry,
} from '@kyc/ledger';
import { LedgerService, MerkleStore } from '../../src/ledger/index.js';
import { call, operator } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

// The ledger against its own operator (SPEC §8, docs/adr/0011 and 0012): its own database (the
// insider test rewrites history, which no other test file may see) and its own witness storage.
const DATABASE = 'kyc_broker_ledger_integrity';

let stack: Stack;
let adminUrl: string;
let auditorKey: string;
let witnessDir: string;
let stateDir: string;

const ledgerJwk = (): Record<string, unknown> => JSON.parse(readFileSync(path.join(stack.config.keysDir, 'ledger-signing.jwk.json'), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  const runtime = new URL(inject('databaseUrl'));
  runtime.pathname = `/${DATABASE}`;
  const owner = new URL(inject('ownerDatabaseUrl'));
  owner.pathname = `/${DATABASE}`;
  const admin = new URL(inject('adminDatabaseUrl'));
  const adminServer = new URL(admin);
  adminServer.pathname = '/postgres';
  admin.pathname = `/${DATABASE}`;
  adminUrl = admin.toString();
  const prepared = spawnSync('node', ['scripts/database.mjs', '--fresh', '--quiet'], {
    env: { ...process.env, DATABASE_URL: runtime.toString(), MIGRATION_DATABASE_URL: owner.toString(), DATABASE_ADMIN_URL: adminServer.toString() },
    encoding: 'utf8',
  });
  if (prepared.status !== 0) throw new Error(`preparing ${DATABASE} failed:\n${prepared.stderr}`);
  witnessDir = mkdtempSync(path.join(tmpdir(), 'kyc-witness-integrity-'));
  stateDir = mkdtempSync(path.join(tmpdir(), 'kyc-monitor-'));
  stack = await startStack({
    DATABASE_URL: runtime.toString(),
    BANK_A_WITNESS_STATE_DIR: path.join(witnessDir, 'a'),
    BANK_B_WITNESS_STATE_DIR: path.join(witnessDir, 'b'),
    CHECKPOINT_INTERVAL_MS: '3600000',
  });
  auditorKey = String((await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' })).body['key']);
});

afterAll(async () => {
  await stack.close();
  rmSync(witnessDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

let counter = 0;
function entry(overrides: Partial<NewLedgerEntry> = {}): NewLedgerEntry {
  counter++;
  return {
    type: 'identity.released',
    occurred_at: new Date().toISOString(),
    enterprise_id: 'ent_integrity',
    bank_id: counter % 2 === 0 ? 'bank-a' : 'bank-b',
    verification_id: `ver_integrity_${counter}`,
    purpose: 'account_opening',
    outcome: 'ok',
    request_id: `req_${counter}`,
    claims: ['family_name', 'birthdate'],
    ...overrides,
  };
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function storedLedger(): Promise<{ entries: LedgerEntry[]; leaves: string[] }> {
  const rows = await stack.prisma.ledgerEntry.findMany({ orderBy: { seq: 'asc' }, select: { seq: true, entry: true, leafHash: true } });
  return { entries: rows.map((r) => JSON.parse(r.entry) as LedgerEntry), leaves: rows.map((r) => r.leafHash) };
}

const audit = <T>(p: string, method = 'GET'): Promise<{ status: number; body: T }> => call<T>(stack, method, p, auditorKey);

interface CheckpointAnswer {
  tree_size: number;
  root_hash: string;
  note: string;
  cosignatures: { witness: string; signature_line: string }[];
}

async function witnessKeys(): Promise<string[]> {
  return (await stack.prisma.ledgerWitness.findMany({ orderBy: { name: 'asc' } })).map((w) => w.verifierKey);
}

describe('group commit across instances', () => {
  it('keeps seq gap-free and the tree whole when two instances and in-transaction appends interleave', async () => {
    await stack.addBroker(13010);
    const [one, two] = stack.brokers;
    if (one === undefined || two === undefined) throw new Error('two broker instances expected');
    const ledgers = [one.get(LedgerService), two.get(LedgerService)];
    const before = await one.get(MerkleStore).treeSize();
    const appended = await Promise.all(
      Array.from({ length: 400 }, (_, i) => {
        const ledger = ledgers[i % 2];
        if (ledger === undefined) throw new Error('no ledger');
        // Every tenth goes the consent path: inside a transaction of its own, with a change (here one
        // that always matches a row) committed together with it.
        if (i % 10 !== 0) return ledger.append(entry());
        return ledger.recordChange({ text: 'SELECT 1', values: [] }, entry({ type: 'consent.granted', claims: undefined })).then((a) => {
          if (a === undefined) throw new Error('the change matched no row');
          return a;
        });
      }),
    );
    const seqs = appended.map((a) => a.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => before + i));
    const { entries, leaves } = await storedLedger();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i));
    entries.forEach((e, i) => expect(leafHash(e)).toBe(leaves[i]));
    for (const a of appended) expect(leaves[a.seq]).toBe(a.leafHash);
    // occurred_at never decreases along seq, whatever the instances' order of arrival.
    for (let i = 1; i < entries.length; i++) expect((entries[i]?.occurred_at ?? '') >= (entries[i - 1]?.occurred_at ?? '')).toBe(true);
    const head = await one.get(MerkleStore).head();
    expect(head).toEqual({ size: leaves.length, root: merkleRoot(leaves) });
    expect(await one.get(MerkleStore).root(leaves.length)).toBe(head.root);
    for (const seq of [0, 1, 137, leaves.length - 1]) {
      const auditPath = await two.get(MerkleStore).inclusionPath(seq, leaves.length);
      expect(verifyInclusion({ leafHash: leaves[seq] ?? '', index: seq, treeSize: leaves.length, auditPath, rootHash: head.root })).toBe(true);
    }
  });
});

describe('the runtime database role', () => {
  const LEDGER_TABLES = ['ledger_entries', 'merkle_nodes', 'checkpoints', 'checkpoint_cosignatures', 'ledger_head', 'ledger_daily_counts'];

  it('is not the owner and cannot UPDATE, DELETE or TRUNCATE any ledger table, nor write entries or nodes directly', async () => {
    await audit('/v1/audit/checkpoints', 'POST');
    const [who] = await stack.prisma.$queryRaw<{ usename: string; usesuper: boolean }[]>`SELECT current_user::text AS usename, usesuper FROM pg_user WHERE usename = current_user`;
    expect(who?.usesuper).toBe(false);
    for (const table of LEDGER_TABLES) {
      const [owner] = await stack.prisma.$queryRawUnsafe<{ owner: string }[]>(`SELECT pg_get_userbyid(relowner)::text AS owner FROM pg_class WHERE relname = '${table}'`);
      expect(owner?.owner).not.toBe(who?.usename);
      for (const statement of [`UPDATE ${table} SET ${table === 'ledger_head' ? 'next_seq = 0' : table === 'ledger_daily_counts' ? 'count = 0' : 'tree_size = tree_size'}`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        const fix = statement.replace('tree_size = tree_size', table === 'ledger_entries' ? 'outcome = outcome' : table === 'merkle_nodes' ? 'hash = hash' : 'tree_size = tree_size');
        await expect(stack.prisma.$executeRawUnsafe(fix), `${fix} must be refused`).rejects.toThrow(/permission denied/);
      }
    }
    await expect(stack.prisma.$executeRawUnsafe(`INSERT INTO ledger_entries (seq, type, occurred_at, enterprise_id, bank_id, verification_id, outcome, entry, leaf_hash) VALUES (999999, 'x', now(), 'e', 'b', 'v', 'ok', '{}', '00')`)).rejects.toThrow(/permission denied/);
    await expect(stack.prisma.$executeRawUnsafe(`INSERT INTO merkle_nodes (level, idx, hash) VALUES (30, 0, '00')`)).rejects.toThrow(/permission denied/);
  });

  it('appends only entries that match their leaf hash, numbered from the head', async () => {
    const size = await stack.brokers[0]?.get(MerkleStore).treeSize();
    const text = JSON.stringify({ seq: size });
    await expect(stack.prisma.$queryRawUnsafe('SELECT * FROM ledger_append($1::bigint, $2::text[], $3::text[])', size, [text], ['00'.repeat(32)])).rejects.toThrow();
  });

  it('and even a superuser cannot TRUNCATE the ledger without switching the triggers off', async () => {
    for (const table of LEDGER_TABLES) {
      await expect(asAdmin((c) => c.query(`TRUNCATE ${table} CASCADE`))).rejects.toThrow(/append-only/);
    }
  });
});

describe('witnesses', () => {
  it('both banks cosign every checkpoint (C2SP tlog-witness), and the note verifies with the pinned keys', async () => {
    const { body } = await audit<CheckpointAnswer>('/v1/audit/checkpoints', 'POST');
    expect(body.cosignatures.map((c) => c.witness)).toEqual(['bank-a.mock/witness', 'bank-b.mock/witness']);
    const note = parseNote(body.note);
    for (const vkey of await witnessKeys()) expect(await verifyCosignature(note, parseVerifierKey(vkey))).toBeDefined();
    const res = await fetch(`${stack.broker}/v1/audit/checkpoints/latest`, { headers: { authorization: `Bearer ${auditorKey}`, accept: 'text/plain' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(body.note);
  });

  it('refuse a rolled-back or forked checkpoint', async () => {
    const { body } = await audit<CheckpointAnswer>('/v1/audit/checkpoints', 'POST');
    const witnesses = await stack.prisma.ledgerWitness.findMany();
    const origin = stack.config.ledger.origin;
    const { leaves } = await storedLedger();
    const forged = [...leaves.slice(0, body.tree_size)];
    forged[3] = createHash('sha256').update('forged').digest('hex');
    const sign = async (size: number, root: string): Promise<string> => {
      const text = formatCheckpointBody({ origin, size, rootHash: root });
      return formatNote(text, [await signNote(text, origin, ledgerJwk())]);
    };
    for (const w of witnesses) {
      const add = (old: number, proof: string[], note: string): Promise<Response> =>
        fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: `old ${old}\n${proof.map((h) => `${Buffer.from(h, 'hex').toString('base64')}\n`).join('')}\n${note}` });
      // Rolled back: a smaller tree, presented as new.
      const rolledBack = await add(0, [], await sign(body.tree_size - 5, merkleRoot(leaves.slice(0, body.tree_size - 5))));
      expect(rolledBack.status).toBe(409);
      expect(await rolledBack.text()).toBe(`${body.tree_size}\n`);
      // Forked: the same size with another history.
      const forkedSame = await add(body.tree_size, [], await sign(body.tree_size, merkleRoot(forged)));
      expect(forkedSame.status).toBe(422);
      // Forked and grown: a proof from the witness's size over the other history does not verify.
      const grown = [...forged, createHash('sha256').update('more').digest('hex')];
      const forkedGrown = await add(body.tree_size, consistencyPath(grown, body.tree_size), await sign(grown.length, merkleRoot(grown)));
      expect(forkedGrown.status).toBe(422);
    }
  });
});

describe('a witness that is down', () => {
  it('delays only its own cosignature: appends and checkpoints go on, the others cosign', async () => {
    const name = 'down.mock/witness';
    const vkey = (await witnessKeys())[0] ?? '';
    await stack.prisma.ledgerWitness.create({ data: { name, url: 'http://127.0.0.1:9/witness', verifierKey: vkey.replace(/^[^+]+/, name) } });
    try {
      const started = Date.now();
      const appended = await stack.brokers[0]?.get(LedgerService).append(entry());
      expect(appended?.seq).toBeGreaterThan(0);
      const { status, body } = await audit<CheckpointAnswer>('/v1/audit/checkpoints', 'POST');
      expect(status).toBe(201);
      expect(body.tree_size).toBe((appended?.seq ?? 0) + 1);
      expect(body.cosignatures.map((c) => c.witness)).toEqual(['bank-a.mock/witness', 'bank-b.mock/witness']);
      expect(Date.now() - started).toBeLessThan(stack.config.witnesses.timeoutMs + 2_000);
    } finally {
      await stack.prisma.ledgerWitness.delete({ where: { name } });
    }
  });
});

describe('the insider attack', () => {
  it('rewriting an entry, its leaf hash, the tree and the checkpoints as superuser, then restarting and signing, is caught by the monitor and refused by the witnesses', async () => {
    const logKey = verifierKeyOfJwk(stack.config.ledger.origin, NOTE_ED25519, ledgerJwk());
    const witnesses = await witnessKeys();
    expect(witnesses.every((w) => parseVerifierKey(w).type === NOTE_COSIGNATURE_V1)).toBe(true);
    const statePath = path.join(stateDir, 'monitor.json');
    const monitor = (options: { statePath?: string } = {}) =>
      runLedgerMonitor({ url: stack.broker, key: auditorKey, statePath: options.statePath ?? statePath, logKey, witnesses, quorum: 2, newCheckpoint: true });

    for (let i = 0; i < 20; i++) await stack.brokers[0]?.get(LedgerService).append(entry());
    const honest = await monitor();
    expect(honest.report?.problems).toEqual([]);
    expect(honest.exitCode).toBe(0);
    expect(honest.report?.cosignatures).toBe(2);
    for (let i = 0; i < 5; i++) await stack.brokers[0]?.get(LedgerService).append(entry());

    // The insider: past the triggers, rewrite one entry and its leaf hash, drop the tree and every
    // checkpoint and cosignature, and rebuild a tree that matches the rewritten leaves.
    const target = 7;
    await asAdmin(async (db) => {
      await db.query('BEGIN');
      await db.query("SET LOCAL session_replication_role = replica");
      await db.query(`UPDATE ledger_entries SET entry = replace(entry, '"purpose":"account_opening"', '"purpose":"marketing"') WHERE seq = $1`, [target]);
      await db.query(`UPDATE ledger_entries SET leaf_hash = encode(sha256('\\x00'::bytea || convert_to(entry, 'UTF8')), 'hex') WHERE seq = $1`, [target]);
      await db.query('TRUNCATE merkle_nodes, checkpoint_cosignatures, checkpoints');
      const { rows } = await db.query<{ leaf_hash: string }>('SELECT leaf_hash FROM ledger_entries ORDER BY seq');
      const { nodes, frontier } = rebuild(rows.map((r) => r.leaf_hash));
      await db.query('INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[])', [nodes.map((n) => n.level), nodes.map((n) => n.idx), nodes.map((n) => n.hash)]);
      await db.query("UPDATE ledger_head SET frontier = (SELECT array_agg(decode(h, 'hex') ORDER BY n) FROM unnest($1::text[]) WITH ORDINALITY AS u(h, n)) WHERE id = 1", [frontier]);
      await db.query('COMMIT');
    });
    const { entries, leaves } = await storedLedger();
    expect(entries[target]?.purpose).toBe('marketing');
    expect(leafHash(entries[target] as LedgerEntry)).toBe(leaves[target]);

    // Restart: a new instance on the rewritten database, which then signs what it finds.
    const first = stack.brokers[0];
    if (first !== undefined) await stack.stopBroker(first);
    await stack.addBroker(13011);
    const restarted = `http://127.0.0.1:13011`;
    const signed = await call<CheckpointAnswer>({ ...stack, broker: restarted }, 'POST', '/v1/audit/checkpoints', auditorKey);
    expect(signed.status).toBe(201);
    expect(signed.body.root_hash).toBe(merkleRoot(leaves));
    // The broker's own signature is fine — but no witness cosigns the rewritten history.
    expect(signed.body.cosignatures).toEqual([]);

    const caught = await runLedgerMonitor({ url: restarted, key: auditorKey, statePath, logKey, witnesses, quorum: 2, newCheckpoint: false });
    expect(caught.exitCode).toBe(1);
    expect(caught.report?.problems.join('\n')).toMatch(/consistent|rewritten/i);
    expect(caught.report?.problems.join('\n')).toMatch(/quorum|cosign/i);
    // A monitor that never saw the honest history still refuses: no witness vouches for this one.
    const fresh = await runLedgerMonitor({ url: restarted, key: auditorKey, statePath: path.join(stateDir, 'fresh.json'), logKey, witnesses, quorum: 2, newCheckpoint: false });
    expect(fresh.exitCode).toBe(1);
    // The monitor still remembers the honest checkpoint: a failed run changes nothing.
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { logs: Record<string, { checkpoint?: { size: number } }> };
    expect(state.logs[stack.config.ledger.origin]?.checkpoint?.size).toBe(honest.report?.tree_size);
  });
});

/** The stored tree of `leaves` as the old start-up backfill rebuilt it: every complete subtree, and the right edge. */
function rebuild(leaves: readonly string[]): { nodes: { level: number; idx: number; hash: string }[]; frontier: string[] } {
  const nodes: { level: number; idx: number; hash: string }[] = [];
  let level = [...leaves];
  for (let k = 1; level.length > 1; k++) {
    const next: string[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const hash = createHash('sha256').update(Buffer.from([1])).update(Buffer.from(level[i] ?? '', 'hex')).update(Buffer.from(level[i + 1] ?? '', 'hex')).digest('hex');
      next.push(hash);
      nodes.push({ level: k, idx: i / 2, hash });
    }
    level = next;
  }
  const frontier: string[] = [];
  let start = 0;
  for (let k = 62; k >= 0; k--) {
    const size = 2 ** k;
    if (Math.floor(leaves.length / size) % 2 === 1) {
      const idx = start / size;
      frontier.push(k === 0 ? (leaves[start] ?? '') : (nodes.find((n) => n.level === k && n.idx === idx)?.hash ?? ''));
      start += size;
    }
  }
  return { nodes, frontier };
}
