import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import {
  checkpointSchema,
  inclusionProofSchema,
  leafHash,
  merkleRoot,
  verifyCheckpoint,
  verifyConsistencyProof,
  verifyInclusionProof,
  monitorLedger,
  resolvePins,
  parseNote,
  parseCheckpointBody,
  verifierKeyOfJwk,
  NOTE_ED25519,
  type Checkpoint,
  type LedgerEntry,
  type Pins,
  type RememberedCheckpoint,
} from '@kyc/ledger';
import { call, consentAtBank, customersOf, newTenant, newVerification, operator, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let tenant: Tenant;
let other: Tenant;
let auditorKey: string;
let customer: string;

interface EntryView {
  entry: LedgerEntry;
  leaf_hash: string;
}

beforeAll(async () => {
  stack = await startStack({ CHECKPOINT_INTERVAL_MS: '300' });
  tenant = await newTenant(stack);
  other = await newTenant(stack);
  auditorKey = String((await operator(stack, 'POST', '/v1/admin/api-keys', { role: 'auditor' })).body['key']);
  customer = (await customersOf(stack.bankA, 30)).find((c) => c.record['kycStatus'] === 'VERIFIED')?.username ?? '';
  for (const [who, decision] of [[tenant, 'approve'], [tenant, 'deny'], [other, 'approve']] as const) {
    const v = await newVerification(stack, who);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer, decision);
    await browser.get(callbackUrl);
    if (decision === 'approve') expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}/identity`, who.key)).status).toBe(200);
  }
});

afterAll(async () => {
  await stack.close();
});

const audit = <T>(path: string, method = 'GET'): Promise<{ status: number; body: T }> => call<T>(stack, method, path, auditorKey);

async function ledgerKey(): Promise<Record<string, unknown>> {
  const jwks = (await (await fetch(`${stack.broker}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
  const key = jwks.keys.find((k) => k['kty'] === 'OKP');
  if (key === undefined) throw new Error('no ledger key published');
  return key;
}

async function allLeaves(): Promise<string[]> {
  return (await stack.prisma.ledgerEntry.findMany({ orderBy: { seq: 'asc' }, select: { leafHash: true } })).map((r) => r.leafHash);
}

describe('signed checkpoints and Merkle proofs', () => {
  let first: Checkpoint;

  it('signs a checkpoint over all entries, verifiable with the published key and recomputable from the leaves', async () => {
    const res = await audit<Checkpoint>('/v1/audit/checkpoints', 'POST');
    expect(res.status).toBe(201);
    first = checkpointSchema.parse(res.body);
    const leaves = await allLeaves();
    expect(first.tree_size).toBe(leaves.length);
    expect(first.root_hash).toBe(merkleRoot(leaves));
    const key = await ledgerKey();
    expect(first.key_id).toBe(key['kid']);
    expect(await verifyCheckpoint(first, key)).toBe(true);
    expect(checkpointSchema.parse((await audit<Checkpoint>('/v1/audit/checkpoints/latest')).body)).toEqual(first);
    expect(checkpointSchema.parse((await audit<Checkpoint>(`/v1/audit/checkpoints/${first.tree_size}`)).body)).toEqual(first);
  });

  it('proves every entry included, and the grown tree consistent with the old one', async () => {
    for (let seq = 0; seq < first.tree_size; seq++) {
      const proof = await audit<{ seq: number; tree_size: number; leaf_hash: string; audit_path: string[] }>(`/v1/audit/proofs/inclusion?seq=${seq}&tree_size=${first.tree_size}`);
      expect(proof.status).toBe(200);
      expect(verifyInclusionProof(inclusionProofSchema.parse(proof.body), first.root_hash)).toBe(true);
    }
    const v = await newVerification(stack, tenant);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
    await browser.get(callbackUrl);
    const second = (await audit<Checkpoint>('/v1/audit/checkpoints', 'POST')).body;
    expect(second.tree_size).toBeGreaterThan(first.tree_size);
    const consistency = await audit<{ from: number; to: number; proof: string[] }>(`/v1/audit/proofs/consistency?from=${first.tree_size}&to=${second.tree_size}`);
    expect(verifyConsistencyProof(consistency.body, first.root_hash, second.root_hash)).toBe(true);
    const list = await audit<{ data: Checkpoint[] }>('/v1/audit/checkpoints?limit=2');
    expect(list.body.data.map((c) => c.tree_size)).toEqual([second.tree_size, first.tree_size]);
  });

  it('answers one entry with its inclusion proof against the latest checkpoint', async () => {
    const res = await audit<EntryView & { inclusion_proof: { seq: number; tree_size: number; leaf_hash: string; audit_path: string[] } }>('/v1/audit/entries/1');
    expect(res.status).toBe(200);
    expect(leafHash(res.body.entry)).toBe(res.body.leaf_hash);
    const latest = (await audit<Checkpoint>('/v1/audit/checkpoints/latest')).body;
    expect(res.body.inclusion_proof.tree_size).toBe(latest.tree_size);
    expect(verifyInclusionProof(res.body.inclusion_proof, latest.root_hash)).toBe(true);
  });

  it('refuses impossible proofs with 400 and unknown entries with 404', async () => {
    expect((await audit('/v1/audit/proofs/consistency?from=0&to=1')).status).toBe(400);
    expect((await audit('/v1/audit/proofs/inclusion?seq=5&tree_size=5')).status).toBe(400);
    expect((await audit('/v1/audit/proofs/inclusion?seq=0&tree_size=999999')).status).toBe(400);
    expect((await audit('/v1/audit/entries/999999')).status).toBe(404);
    expect((await audit('/v1/audit/entries/abc')).status).toBe(404);
    expect((await audit('/v1/audit/checkpoints/123456')).status).toBe(404);
  });
});

describe('querying the history', () => {
  it('pages newest first with a keyset cursor, and filters', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: EntryView[]; next_cursor: string | null } } = await audit(`/v1/audit/entries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      for (const row of page.body.data) {
        expect(leafHash(row.entry)).toBe(row.leaf_hash);
        seen.push(row.entry.seq);
      }
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await allLeaves()).length);

    const denied = await audit<{ data: EntryView[] }>(`/v1/audit/entries?enterprise_id=${tenant.id}&outcome=denied`);
    expect(denied.body.data.map((r) => r.entry.type)).toEqual(['consent.denied']);
    const released = await audit<{ data: EntryView[] }>('/v1/audit/entries?type=identity.released&bank_id=bank-a');
    expect(released.body.data.length).toBeGreaterThanOrEqual(2);
  });

  it("finds a customer's entries by bank subject without storing it", async () => {
    const res = await audit<{ data: EntryView[] }>(`/v1/audit/entries?bank_id=bank-a&bank_subject=${customer}`);
    expect(res.body.data.length).toBeGreaterThanOrEqual(4);
    expect(new Set(res.body.data.map((r) => r.entry.subject_ref)).size).toBe(1);
    expect(JSON.stringify(res.body)).not.toContain(customer);
    const none = await audit<{ data: EntryView[] }>('/v1/audit/entries?bank_id=bank-a&bank_subject=9999999');
    expect(none.body.data).toEqual([]);
    expect((await audit(`/v1/audit/entries?bank_subject=${customer}`)).status).toBe(400);
  });

  it("shows an enterprise only its own distributions; auditors' routes stay closed to it", async () => {
    const own = await call<{ data: EntryView[] }>(stack, 'GET', '/v1/distributions?limit=500', other.key);
    expect(own.body.data.length).toBeGreaterThan(0);
    expect(own.body.data.every((r) => r.entry.enterprise_id === other.id)).toBe(true);
    const sneaky = await call<{ data: EntryView[] }>(stack, 'GET', `/v1/distributions?enterprise_id=${tenant.id}`, other.key);
    expect(sneaky.body.data).toEqual([]);
    expect((await call(stack, 'GET', '/v1/audit/entries', other.key)).status).toBe(403);
    expect((await call(stack, 'GET', '/v1/admin/banks', auditorKey)).status).toBe(403);
  });

  it("gives each enterprise its own subject_ref for a customer, never the auditors' one, and no bank_subject filter", async () => {
    const refsOf = async (who: Tenant): Promise<Set<unknown>> => {
      const res = await call<{ data: EntryView[] }>(stack, 'GET', '/v1/distributions?limit=500', who.key);
      expect(res.status).toBe(200);
      return new Set(res.body.data.map((r) => r.entry.subject_ref).filter((r) => r !== undefined));
    };
    const auditors = await audit<{ data: EntryView[] }>(`/v1/audit/entries?bank_id=bank-a&bank_subject=${customer}`);
    const ledgerRef = auditors.body.data[0]?.entry.subject_ref;
    expect(ledgerRef).toMatch(/^[0-9a-f]{64}$/);
    const mine = await refsOf(tenant);
    const theirs = await refsOf(other);
    // The same customer consented to both: one stable reference within each enterprise, unlinkable across them.
    expect(mine.size).toBe(1);
    expect(theirs.size).toBe(1);
    const [a] = [...mine];
    const [b] = [...theirs];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect([a, b]).not.toContain(ledgerRef);

    const probe = await call(stack, 'GET', `/v1/distributions?bank_id=bank-a&bank_subject=${customer}`, tenant.key);
    expect(probe.status).toBe(400);
    expect(probe.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('export and statistics', () => {
  it('streams the filtered history as CSV (SPEC columns, arrays space-joined, objects canonical) and NDJSON', async () => {
    const csv = await fetch(`${stack.broker}/v1/audit/export?format=csv&enterprise_id=${tenant.id}`, { headers: { authorization: `Bearer ${auditorKey}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,type,occurred_at,enterprise_id,bank_id,verification_id,purpose,outcome,request_id,subject_ref,claims,verification_process,commitments,error_code');
    const rows = await stack.prisma.ledgerEntry.findMany({ where: { enterpriseId: tenant.id }, orderBy: { seq: 'asc' } });
    expect(lines.length - 1).toBe(rows.length);
    const released = rows.find((r) => r.type === 'identity.released');
    const entry = JSON.parse(released?.entry ?? '{}') as LedgerEntry;
    const line = lines.find((l) => l.startsWith(`${entry.seq},`)) ?? '';
    expect(line).toContain(`,${(entry.claims ?? []).join(' ')},`);
    expect(line).toContain('"{""address"":');

    const nd = await fetch(`${stack.broker}/v1/audit/export?format=ndjson&type=identity.released`, { headers: { authorization: `Bearer ${auditorKey}` } });
    const records = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as { entry: LedgerEntry; leaf_hash: string });
    expect(records.length).toBeGreaterThanOrEqual(2);
    for (const r of records) {
      expect(r.entry.type).toBe('identity.released');
      expect(leafHash(r.entry)).toBe(r.leaf_hash);
    }
    expect(records.map((r) => r.entry.seq)).toEqual([...records.map((r) => r.entry.seq)].sort((a, b) => a - b));
    expect((await audit('/v1/audit/export?format=xml')).status).toBe(400);
  });

  it('defuses cells a spreadsheet would run as formulas, and records no caller free text as the request id', async () => {
    const hostile = ['=1+2', '-2+3', '@SUM(1)', '+1'];
    const own = await newTenant(stack, { purposes: hostile });
    const ids: string[] = [];
    for (const purpose of hostile) {
      const v = await newVerification(stack, own, { purpose });
      ids.push(String(v['id']));
      const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer, 'approve');
      await browser.get(callbackUrl);
      const res = await fetch(`${stack.broker}/v1/verifications/${String(v['id'])}/identity`, {
        headers: { authorization: `Bearer ${own.key}`, 'x-request-id': '-1-1+cmd|calc' },
      });
      expect(res.status).toBe(200);
    }
    const csv = await (await fetch(`${stack.broker}/v1/audit/export?format=csv&enterprise_id=${own.id}`, { headers: { authorization: `Bearer ${auditorKey}` } })).text();
    const cells = csv.trimEnd().split('\r\n').slice(1).map((line) => line.split(','));
    expect(cells.length).toBe(hostile.length * 2);
    // The operator-chosen purposes are kept, behind a quote; the caller's free-text id was replaced.
    expect(new Set(cells.map((c) => c[6]))).toEqual(new Set(hostile.map((p) => `'${p}`)));
    expect(csv).not.toContain('cmd|calc');
    for (const row of cells) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // NDJSON keeps the entries as committed.
    const nd = await (await fetch(`${stack.broker}/v1/audit/export?format=ndjson&enterprise_id=${own.id}`, { headers: { authorization: `Bearer ${auditorKey}` } })).text();
    const entries = nd.trim().split('\n').map((l) => (JSON.parse(l) as { entry: LedgerEntry }).entry);
    expect(new Set(entries.map((e) => e.purpose))).toEqual(new Set(hostile));
    for (const e of entries) expect(e.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids).toHaveLength(hostile.length);
  });

  it('counts distributions per day, bank, enterprise and outcome', async () => {
    const res = await audit<{ data: { day: string; bank_id: string; enterprise_id: string; outcome: string; count: number }[] }>('/v1/audit/stats?group_by=day');
    expect(res.status).toBe(200);
    const mine: Record<string, number> = {};
    for (const r of res.body.data.filter((x) => x.enterprise_id === tenant.id)) {
      expect(r.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      mine[r.outcome] = (mine[r.outcome] ?? 0) + r.count;
    }
    const expected = await stack.prisma.ledgerEntry.groupBy({ by: ['outcome'], where: { enterpriseId: tenant.id }, _count: true });
    expect(mine).toEqual(Object.fromEntries(expected.map((e) => [e.outcome, e._count])));
    expect((await audit('/v1/audit/stats?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
  });
});

describe('scheduled checkpoints', () => {
  it('signs checkpoints by itself, covering new entries without anyone asking', async () => {
    const v = await newVerification(stack, other);
    const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer, 'deny');
    await browser.get(callbackUrl);
    const size = (await allLeaves()).length;
    await expect
      .poll(async () => (await audit<Checkpoint>('/v1/audit/checkpoints/latest')).body.tree_size, { timeout: 5000, interval: 100 })
      .toBe(size);
    const latest = (await audit<Checkpoint>('/v1/audit/checkpoints/latest')).body;
    expect(await verifyCheckpoint(latest, await ledgerKey())).toBe(true);
  });
});

describe('checkpoints asked for at once', () => {
  it('answers each request, while the tree grows, with a checkpoint every witness cosigned', async () => {
    // Interleaved runs once offered a witness a smaller tree than another run had just given it; a
    // C2SP witness never goes back, so that checkpoint stayed without its cosignature.
    const grow = async (): Promise<void> => {
      const v = await newVerification(stack, other);
      const { callbackUrl, browser } = await consentAtBank(stack, String(v['authorization_url']), customer, 'deny');
      await browser.get(callbackUrl);
    };
    const ask = async (delayMs: number): Promise<Checkpoint & { cosignatures: unknown[] }> => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const res = await audit<Checkpoint & { cosignatures: unknown[] }>('/v1/audit/checkpoints', 'POST');
      expect(res.status).toBe(201);
      return res.body;
    };
    // Four clients, each growing the tree and asking at once, twice: asks of different sizes overlap.
    const chain = async (): Promise<(Checkpoint & { cosignatures: unknown[] })[]> => {
      const mine = [];
      for (let i = 0; i < 2; i++) {
        await grow();
        mine.push(...(await Promise.all([ask(0), ask(5)])));
      }
      return mine;
    };
    const answers = (await Promise.all([chain(), chain(), chain(), chain()])).flat();
    expect(answers).toHaveLength(16);
    for (const a of answers) expect(a.cosignatures, `checkpoint ${a.tree_size}`).toHaveLength(2);
  });
});

describe('tampering', () => {
  let pins: Pins;
  let remembered: RememberedCheckpoint | undefined;

  beforeAll(async () => {
    const note = await (await fetch(`${stack.broker}/v1/audit/checkpoints/latest`, { headers: { authorization: `Bearer ${auditorKey}`, accept: 'text/plain' } })).text();
    const origin = parseCheckpointBody(parseNote(note).body).origin;
    const witnesses = (await stack.prisma.ledgerWitness.findMany()).map((w) => w.verifierKey);
    // The test owns the broker, so it may take the key from the JWKS; a real auditor pins it out of band.
    pins = resolvePins({ logKey: verifierKeyOfJwk(origin, NOTE_ED25519, (await ledgerKey())), witnesses, quorum: witnesses.length }, undefined);
  });

  it('the independent monitor accepts the untouched history, cosigned by every witness', async () => {
    const { report, verified } = await monitorLedger({ url: stack.broker, key: auditorKey, pins, newCheckpoint: true });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(report.tree_size);
    expect(report.cosignatures).toBe(2);
    remembered = verified;
  });

  it('is refused by the database, and an entry altered past the trigger no longer matches its proof', async () => {
    await expect(stack.prisma.$executeRawUnsafe(`UPDATE ledger_entries SET outcome = 'ok' WHERE seq = 0`)).rejects.toThrow();
    await expect(stack.prisma.$executeRawUnsafe('DELETE FROM ledger_entries WHERE seq = 0')).rejects.toThrow();
    const checkpoint = (await audit<Checkpoint>('/v1/audit/checkpoints', 'POST')).body;
    const target = await stack.prisma.ledgerEntry.findFirst({ where: { enterpriseId: tenant.id, type: 'consent.denied' } });
    const seq = Number(target?.seq);
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    try {
      await admin.query("SET session_replication_role = replica");
      await admin.query(`UPDATE ledger_entries SET entry = replace(entry, '"purpose":"account_opening"', '"purpose":"marketing"') WHERE seq = ${seq}`);
    } finally {
      await admin.end();
    }
    const res = await audit<EntryView & { inclusion_proof: { seq: number; tree_size: number; leaf_hash: string; audit_path: string[] } }>(`/v1/audit/entries/${seq}`);
    expect(res.body.entry.purpose).toBe('marketing');
    const recomputed = leafHash(res.body.entry);
    expect(recomputed).not.toBe(res.body.leaf_hash);
    expect(verifyInclusionProof({ ...res.body.inclusion_proof, leaf_hash: recomputed }, checkpoint.root_hash)).toBe(false);
    const { report } = await monitorLedger({ url: stack.broker, key: auditorKey, pins, remembered, newCheckpoint: false });
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`entry ${seq}: content does not match its leaf hash`);
  });
});
