// `npm run ledger:load -- --entries 10000000`: fills an empty ledger with a synthetic but valid
// history (entries, Merkle nodes, head, daily counts) for the audit benchmarks (SPEC §9 B3), set-based
// in SQL so 10 million entries take minutes, not the hours ledger_append would need one batch at a time.
// Runs as the owner role (only it may write the ledger tables). The entries follow SPEC §8: canonical
// JSON built by string concatenation in sorted key order (every value is ASCII that needs no escaping),
// leaf and node hashes as ledger_append computes them, occurred_at non-decreasing along seq over the
// 12 months ending now, subject_ref the broker's HMAC of `load-<n>` bank subjects.
//
//   --entries N          how many entries (required)
//   --database-url URL   the owner connection (default MIGRATION_DATABASE_URL, then the dev default)
//   --subject-key KEY    base64url subject key (default SUBJECT_KEY, then <KEYS_DIR>/subject.key)
//   --enterprises N      enterprise population (200)        --customers N   customers (entries / 8)
//   --chunk N            entries per INSERT (524288)        --sample N      entries re-checked in Node (2000)
//   --jobs N             database sessions working at once (2: one per core here)
//   --verify-full        also recompute the root from every leaf (reads all leaf hashes)
import './node24.mjs';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import canonicalize from 'canonicalize';
import pg from 'pg';
import { DATABASE_DEFAULTS } from './database.mjs';

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string' },
    'database-url': { type: 'string' },
    'subject-key': { type: 'string' },
    enterprises: { type: 'string', default: '200' },
    customers: { type: 'string' },
    chunk: { type: 'string', default: String(2 ** 19) },
    sample: { type: 'string', default: '2000' },
    jobs: { type: 'string', default: '2' },
    'verify-full': { type: 'boolean', default: false },
  },
});

const count = (name, text, min) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
};
const N = count('entries', args.entries, 1);
const ENTERPRISES = count('enterprises', args.enterprises, 1);
// About 2.7 verifications and 7 entries per customer; verification n goes to customer n·stride mod
// customers (stride coprime to it), so every customer gets its share and few have no granted consent.
const CUSTOMERS = count('customers', args.customers ?? String(Math.max(1, Math.ceil(N / 8))), 1);
const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
let CUSTOMER_STRIDE = 2_654_435_761 % CUSTOMERS || 1;
while (gcd(CUSTOMER_STRIDE, CUSTOMERS) !== 1) CUSTOMER_STRIDE += 1;
const CHUNK = count('chunk', args.chunk, 2);
if (CHUNK % 2 !== 0) throw new Error('--chunk must be even: level-1 nodes are paired within a chunk');
const SAMPLE = count('sample', args.sample, 0);
const JOBS = count('jobs', args.jobs, 1);
const DATABASE_URL = args['database-url'] ?? process.env.MIGRATION_DATABASE_URL ?? DATABASE_DEFAULTS.owner;
const DAY_MS = 86_400_000;
const SPAN_MS = 365 * DAY_MS;

function subjectKey() {
  const text = args['subject-key'] ?? process.env.SUBJECT_KEY?.trim() ?? readFileSync(path.resolve(process.env.KEYS_DIR ?? '.keys', 'subject.key'), 'utf8').trim();
  const key = Buffer.from(text, 'base64url');
  if (key.length !== 32) throw new Error('the subject key must be 32 bytes, base64url');
  return key;
}

// --- the shape of the history -------------------------------------------------------------------

/** mulberry32, seeded: every load draws the same cycle template. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Per cycle of 1000 entries (SPEC §8 types; close to the mix asked for, summing to 1000).
const CYCLE = 1000;
const MIX = { granted: 260, denied: 62, consentFailed: 21, identity: 465, match: 105, releaseFailed: 52, revoked: 35 };
const RELEASE_ERRORS = ['BANK_ERROR', 'BANK_ERROR', 'BANK_UNAVAILABLE', 'BANK_UNAVAILABLE', 'BANK_PAYLOAD_INVALID', 'IDENTITY_NOT_VERIFIED'];

/**
 * One cycle: verification slots (consent first, then its releases, a revocation last), interleaved
 * by a random start and random gaps, so a verification's entries lie within one cycle (minutes apart
 * at 10M entries). Every cycle repeats the pattern with fresh verifications.
 */
function cycleTemplate() {
  const random = prng(8785);
  const pick = (n) => Math.floor(random() * n);
  const slots = [];
  const add = (consent, mode) => slots.push({ consent, mode, events: [] });
  for (let i = 0; i < MIX.granted; i++) add('consent.granted', i < Math.round((MIX.granted * MIX.match) / (MIX.identity + MIX.match)) ? 'match' : 'full');
  for (let i = 0; i < MIX.denied; i++) add('consent.denied');
  for (let i = 0; i < MIX.consentFailed; i++) add('consent.failed');
  const granted = slots.filter((s) => s.consent === 'consent.granted');
  const full = granted.filter((s) => s.mode === 'full');
  const match = granted.filter((s) => s.mode === 'match');
  const spread = (group, type, total) => {
    group.forEach((s, i) => i < total && s.events.push({ type }));
    for (let i = group.length; i < total; i++) group[pick(group.length)].events.push({ type });
  };
  spread(full, 'identity.released', MIX.identity);
  spread(match, 'match.released', MIX.match);
  for (let i = 0; i < MIX.releaseFailed; i++) granted[pick(granted.length)].events.push({ type: 'release.failed', error: RELEASE_ERRORS[pick(RELEASE_ERRORS.length)] });
  for (const s of granted) {
    for (let i = s.events.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [s.events[i], s.events[j]] = [s.events[j], s.events[i]];
    }
  }
  const revoked = new Set();
  while (revoked.size < MIX.revoked) revoked.add(pick(granted.length));
  for (const i of revoked) granted[i].events.push({ type: 'verification.revoked' });
  const timed = [];
  slots.forEach((s, vslot) => {
    let at = random();
    timed.push({ at, vslot, type: s.consent, granted: s.consent === 'consent.granted', error: s.consent === 'consent.failed' ? 'BANK_ERROR' : null });
    for (const e of s.events) {
      at += random() * 0.05;
      timed.push({ at, vslot, type: e.type, granted: true, error: e.error ?? null });
    }
  });
  // Each slot's entries have increasing times, so the order by time keeps consent first, revocation last.
  const rows = timed.sort((a, b) => a.at - b.at);
  if (rows.length !== CYCLE) throw new Error(`the cycle template has ${rows.length} entries, not ${CYCLE}`);
  return { slots: slots.length, rows };
}

const OUTCOME = { 'consent.denied': 'denied', 'consent.failed': 'failed', 'release.failed': 'failed' };

// Purposes with the claims released for them (claims in the order they were consented).
const PURPOSES = [
  { name: 'account_opening', weight: 50, claims: ['family_name', 'given_name', 'family_name#ja-Kana-JP', 'given_name#ja-Kana-JP', 'birthdate', 'address'] },
  { name: 'age_verification', weight: 25, claims: ['birthdate'] },
  { name: 'loan_screening', weight: 15, claims: ['family_name', 'given_name', 'birthdate', 'address'] },
  { name: 'address_update', weight: 10, claims: ['address'] },
];

const sqlText = (s) => `'${s.replaceAll("'", "''")}'`;

/** CASE over the purpose index: a literal, or an expression per purpose. */
function purposeCase(column, make) {
  return `CASE ${column} ${PURPOSES.map((p, i) => `WHEN ${i} THEN ${make(p)}`).join(' ')} END`;
}

/** The commitments object, keys in canonical (code unit) order, one SHA-256 per claim. */
function commitmentsExpression(p) {
  const members = [...p.claims].sort().map((c, i) => `'${i === 0 ? '' : ','}"${c}":"' || encode(sha256(convert_to(seed || ${sqlText(c)}, 'UTF8')), 'hex') || '"'`);
  return `'{' || ${members.join(' || ')} || '}'`;
}

/**
 * The INSERT of one chunk, with the level-1 nodes its pairs complete and its daily counts, in one
 * statement. OFFSET 0 keeps each derived value computed once per row (no subquery flattening).
 */
function chunkStatement() {
  const purposeCut = [];
  let acc = 0;
  for (const p of PURPOSES) purposeCut.push((acc += p.weight));
  const purposeIndex = `CASE ${purposeCut.map((cut, i) => `WHEN u_purpose < ${cut} THEN ${i}`).join(' ')} END`;
  const width = Math.max(6, String(CUSTOMERS - 1).length);
  return `
WITH ins AS (
  INSERT INTO ledger_entries (seq, type, occurred_at, enterprise_id, bank_id, verification_id, outcome, subject_ref, entry, leaf_hash)
  SELECT seq, type, at, enterprise_id, bank_id, verification_id, outcome, subject_ref, entry,
         encode(sha256('\\x00'::bytea || convert_to(entry, 'UTF8')), 'hex')
    FROM (
      SELECT *, '{"bank_id":"' || bank_id || '"'
             || CASE WHEN type IN ('identity.released', 'match.released') THEN ',"claims":' || ${purposeCase('purpose_no', (p) => sqlText(JSON.stringify(p.claims)))} ELSE '' END
             || CASE WHEN type = 'identity.released' THEN ',"commitments":' || ${purposeCase('purpose_no', commitmentsExpression)} ELSE '' END
             || ',"enterprise_id":"' || enterprise_id || '"'
             || CASE WHEN error_code IS NULL THEN '' ELSE ',"error_code":"' || error_code || '"' END
             || ',"occurred_at":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
             || '","outcome":"' || outcome || '","purpose":"' || ${purposeCase('purpose_no', (p) => sqlText(p.name))}
             || '","request_id":"' || gen_random_uuid()::text || '","seq":' || seq
             || CASE WHEN subject_ref IS NULL THEN '' ELSE ',"subject_ref":"' || subject_ref || '"' END
             || ',"type":"' || type || '","verification_id":"' || verification_id || '"}' AS entry
        FROM (
          SELECT *, CASE WHEN granted THEN encode(sha256($5::bytea || sha256($4::bytea || $6::bytea
                      || convert_to(bank_id, 'UTF8') || '\\x00'::bytea || convert_to('load-' || lpad(customer::text, ${width}, '0'), 'UTF8'))), 'hex') END AS subject_ref,
                    'load-c' || seq || '/' AS seed
            FROM (
              SELECT seq, type, outcome, error_code, granted, 'ver_' || h AS verification_id,
                     $3::timestamptz + ((seq * ${SPAN_MS}::bigint) / ${N}::bigint) * interval '1 millisecond' AS at,
                     customer, CASE WHEN customer % 5 < 3 THEN 'bank-a' ELSE 'bank-b' END AS bank_id,
                     'ent_' || md5('load-enterprise-' || least(${ENTERPRISES}, floor(power(${ENTERPRISES + 1}::float8, u_enterprise)))::int) AS enterprise_id,
                     ${purposeIndex} AS purpose_no
                FROM (
                  SELECT g.seq, t.type, t.outcome, t.error_code, t.granted, md5('load-v' || v.vno) AS h,
                         (v.vno * ${CUSTOMER_STRIDE}::bigint) % ${CUSTOMERS} AS customer,
                         (hashint8extended(v.vno, 1) & 4294967295)::float8 / 4294967296 AS u_enterprise,
                         (hashint8extended(v.vno, 2) & 4294967295) % 100 AS u_purpose
                    FROM generate_series($1::bigint, $2::bigint - 1) AS g(seq)
                    JOIN load_template t ON t.pos = g.seq % ${CYCLE}
                    CROSS JOIN LATERAL (SELECT (g.seq / ${CYCLE}) * $7::bigint + t.vslot AS vno) v
                  OFFSET 0) a
              OFFSET 0) b
          OFFSET 0) c
      OFFSET 0) d
  RETURNING seq, leaf_hash, occurred_at, bank_id, enterprise_id, outcome
), nodes AS (
  INSERT INTO merkle_nodes (level, idx, hash)
  SELECT 1, seq / 2, encode(sha256('\\x01'::bytea || decode(min(leaf_hash) FILTER (WHERE seq % 2 = 0) || min(leaf_hash) FILTER (WHERE seq % 2 = 1), 'hex')), 'hex')
    FROM ins GROUP BY seq / 2 HAVING count(*) = 2
)
INSERT INTO ledger_daily_counts AS c (day, bank_id, enterprise_id, outcome, count)
SELECT (occurred_at AT TIME ZONE 'UTC')::date, bank_id, enterprise_id, outcome, count(*) FROM ins GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
ON CONFLICT (day, bank_id, enterprise_id, outcome) DO UPDATE SET count = c.count + EXCLUDED.count`;
}

// --- progress -----------------------------------------------------------------------------------

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const phases = [];

async function phase(name, work) {
  const t0 = performance.now();
  const result = await work();
  const ms = performance.now() - t0;
  phases.push({ name, ms });
  process.stderr.write(`${name}: ${seconds(ms)}\n`);
  return result;
}

function progress(label, total) {
  const t0 = performance.now();
  const tty = process.stderr.isTTY;
  return (done) => {
    const s = (performance.now() - t0) / 1000;
    const rate = done / Math.max(s, 1e-3);
    const eta = done === 0 ? '?' : `${Math.round((total - done) / rate)} s`;
    const pct = ((100 * done) / total).toFixed(1).padStart(5);
    const width = 30;
    const bar = '#'.repeat(Math.round((width * done) / total)).padEnd(width, '.');
    const line = `${label} [${bar}] ${pct} % ${done}/${total} ${Math.round(rate)} rows/s ETA ${eta}`;
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

// --- the load -----------------------------------------------------------------------------------

async function assertEmpty(db) {
  const { rows } = await db.query(`SELECT (SELECT next_seq FROM ledger_head WHERE id = 1) AS next_seq,
    EXISTS (SELECT FROM ledger_entries) AS entries, EXISTS (SELECT FROM merkle_nodes) AS nodes,
    EXISTS (SELECT FROM ledger_daily_counts) AS counts, EXISTS (SELECT FROM checkpoints) AS checkpoints`);
  const r = rows[0];
  if (r.next_seq === null) throw new Error('ledger_head has no row: is the database migrated?');
  if (Number(r.next_seq) !== 0 || r.entries || r.nodes || r.counts || r.checkpoints) {
    throw new Error('the ledger is not empty: load into a fresh database (node scripts/database.mjs --fresh)');
  }
}

async function secondaryIndexes(db) {
  const { rows } = await db.query(`SELECT i.indexname, i.indexdef FROM pg_indexes i
     JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
    WHERE i.schemaname = 'public' AND i.tablename = 'ledger_entries' AND NOT x.indisprimary ORDER BY i.indexname`);
  return rows;
}

async function createTemplate(db, template) {
  await db.query('CREATE TEMP TABLE load_template (pos INT PRIMARY KEY, vslot INT, type TEXT, outcome TEXT, error_code TEXT, granted BOOLEAN)');
  const r = template.rows;
  await db.query(
    `INSERT INTO load_template SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::boolean[])`,
    [r.map((_, i) => i), r.map((t) => t.vslot), r.map((t) => t.type), r.map((t) => OUTCOME[t.type] ?? 'ok'), r.map((t) => t.error), r.map((t) => t.granted)],
  );
  await db.query('ANALYZE load_template');
}

/** Levels 2 and up, each from the one below it: a parent for every complete pair; wide levels in parts. */
async function buildLevels(sessions) {
  const sql = `INSERT INTO merkle_nodes (level, idx, hash)
    SELECT $1::smallint, idx / 2, encode(sha256('\\x01'::bytea || decode(min(hash) FILTER (WHERE idx % 2 = 0) || min(hash) FILTER (WHERE idx % 2 = 1), 'hex')), 'hex')
      FROM merkle_nodes WHERE level = $1::smallint - 1 AND idx >= $2::bigint AND idx < $3::bigint GROUP BY idx / 2 HAVING count(*) = 2`;
  let below = Math.floor(N / 2);
  for (let level = 2; below >= 2; level++) {
    const start = performance.now();
    const parts = below < 100_000 ? 1 : sessions.length;
    const step = Math.ceil(below / parts / 2) * 2;
    const ranges = [];
    for (let from = 0; from < below; from += step) ranges.push([from, Math.min(below, from + step)]);
    let written = 0;
    await shared(sessions, ranges, async (c, [from, to]) => {
      const { rowCount } = await c.query(sql, [level, from, to]);
      written += rowCount;
    });
    process.stderr.write(`merkle level ${level}: ${written} nodes in ${seconds(performance.now() - start)}\n`);
    below = Math.floor(below / 2);
  }
}

/** The right edge, as the migration's DO block reads it: one stored subtree per set bit of the size. */
async function frontierOf(db, size) {
  const edge = [];
  let start = 0;
  for (let level = 62; level >= 0; level--) {
    if ((BigInt(size) >> BigInt(level)) & 1n) {
      const { rows } = level === 0
        ? await db.query('SELECT leaf_hash AS hash FROM ledger_entries WHERE seq = $1', [start])
        : await db.query('SELECT hash FROM merkle_nodes WHERE level = $1 AND idx = $2', [level, start / 2 ** level]);
      if (rows[0] === undefined) throw new Error(`the loaded tree is incomplete at level ${level} index ${start / 2 ** level}`);
      edge.push(rows[0].hash);
      start += 2 ** level;
    }
  }
  return edge;
}

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const nodeHex = (left, right) => sha256(Buffer.from([1]), Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');
const leafHex = (text) => sha256(Buffer.from([0]), Buffer.from(text, 'utf8')).toString('hex');
const rootOf = (edge) => (edge.length === 0 ? sha256().toString('hex') : edge.reduceRight((right, left) => nodeHex(left, right)));

/** Entries re-read and checked in Node: canonical text, leaf hash, and the columns ledger_append would derive. */
async function verifySample(db) {
  const seqs = new Set([0, N - 1]);
  const random = prng(N);
  while (seqs.size < Math.min(SAMPLE + 2, N)) seqs.add(Math.floor(random() * N));
  const { rows } = await db.query(
    'SELECT seq, type, occurred_at, enterprise_id, bank_id, verification_id, outcome, subject_ref, entry, leaf_hash FROM ledger_entries WHERE seq = ANY($1::bigint[])',
    [[...seqs]],
  );
  if (rows.length !== seqs.size) throw new Error(`sample: ${seqs.size - rows.length} entries missing`);
  for (const r of rows) {
    const entry = JSON.parse(r.entry);
    const fail = (what) => {
      throw new Error(`entry ${r.seq}: ${what}`);
    };
    if (canonicalize(entry) !== r.entry) fail('the text is not canonical JSON');
    if (leafHex(r.entry) !== r.leaf_hash) fail('the leaf hash does not match');
    if (entry.seq !== Number(r.seq)) fail('seq differs');
    if (entry.occurred_at !== r.occurred_at.toISOString()) fail('occurred_at differs');
    for (const c of ['type', 'enterprise_id', 'bank_id', 'verification_id', 'outcome']) if (entry[c] !== r[c]) fail(`${c} differs`);
    if ((entry.subject_ref ?? null) !== r.subject_ref) fail('subject_ref differs');
    if (Object.values(entry).some((v) => v === null)) fail('carries a null');
  }
  const { rows: order } = await db.query(`SELECT count(*)::int AS bad FROM (
      SELECT occurred_at < lag(occurred_at) OVER (ORDER BY seq) AS back FROM ledger_entries WHERE seq = ANY($1::bigint[])) s WHERE back`, [[...seqs]]);
  if (order[0].bad > 0) throw new Error('occurred_at decreases along seq');
  const { rows: counts } = await db.query('SELECT sum(count)::bigint AS total FROM ledger_daily_counts');
  if (Number(counts[0].total) !== N) throw new Error(`ledger_daily_counts sums to ${counts[0].total}, not ${N}`);
  return rows.length;
}

/** Every leaf streamed through a frontier: the root the head must fold to. */
async function fullRoot(db) {
  const edge = [];
  const tick = progress('verify leaves', N);
  for (let from = 0; from < N; from += CHUNK) {
    const { rows } = await db.query('SELECT leaf_hash FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq', [from, Math.min(N, from + CHUNK)]);
    rows.forEach((r, i) => {
      let hash = r.leaf_hash;
      for (let n = from + i; n % 2 === 1; n = Math.floor(n / 2)) hash = nodeHex(edge.pop(), hash);
      edge.push(hash);
    });
    tick(Math.min(N, from + CHUNK));
  }
  return rootOf(edge);
}

/** One session per core: the chunks, the wide Merkle levels and the index builds are shared among them. */
async function openSessions(template) {
  const sessions = [];
  for (let i = 0; i < JOBS; i++) {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    sessions.push(c);
    await c.connect();
    await c.query("SET maintenance_work_mem = '1GB'");
    await c.query("SET work_mem = '256MB'");
    await c.query('SET max_parallel_maintenance_workers = 0');
    await c.query('SET synchronous_commit = off');
    await createTemplate(c, template);
  }
  return sessions;
}

/** Runs the tasks on the sessions, each session taking the next task when it is free. */
async function shared(sessions, tasks, run) {
  const queue = [...tasks];
  await Promise.all(sessions.map(async (c) => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await run(c, t);
  }));
}

async function main() {
  const started = performance.now();
  const key = subjectKey();
  const block = Buffer.alloc(64);
  key.copy(block);
  const ipad = Buffer.from(block.map((b) => b ^ 0x36));
  const opad = Buffer.from(block.map((b) => b ^ 0x5c));
  const hmacPrefix = Buffer.from('kyc-broker/subject-ref/v1\u0000', 'utf8');
  const template = cycleTemplate();
  const t0 = new Date(Date.now() - SPAN_MS);

  const sessions = await openSessions(template);
  const db = sessions[0];
  let dropped = [];
  let loading = false;
  try {
    await assertEmpty(db);
    const indexes = await secondaryIndexes(db);
    process.stderr.write(`loading ${N} entries (${ENTERPRISES} enterprises, ${CUSTOMERS} customers, ${JOBS} sessions) into ${new URL(DATABASE_URL).pathname.slice(1)}\n`);
    await phase(`drop ${indexes.length} secondary indexes`, () => db.query(indexes.map((i) => `DROP INDEX "${i.indexname}"`).join(';')));
    dropped = indexes;
    loading = true;
    const sql = chunkStatement();
    await phase('entries + level-1 nodes + daily counts', async () => {
      const tick = progress('entries', N);
      let done = 0;
      tick(0);
      const chunks = [];
      for (let from = 0; from < N; from += CHUNK) chunks.push([from, Math.min(N, from + CHUNK)]);
      await shared(sessions, chunks, async (c, [from, to]) => {
        await c.query(sql, [from, to, t0, ipad, opad, hmacPrefix, template.slots]);
        tick((done += to - from));
      });
    });
    await phase('analyze merkle_nodes', () => db.query('ANALYZE merkle_nodes'));
    await phase('merkle levels 2+', () => buildLevels(sessions));
    const edge = await phase('ledger_head', async () => {
      const frontier = await frontierOf(db, N);
      await db.query(
        `UPDATE ledger_head SET next_seq = $1::bigint, last_occurred_at = (SELECT occurred_at FROM ledger_entries WHERE seq = $1::bigint - 1),
                frontier = ARRAY(SELECT decode(h, 'hex') FROM unnest($2::text[]) WITH ORDINALITY AS u(h, n) ORDER BY n) WHERE id = 1`,
        [N, frontier],
      );
      return frontier;
    });
    loading = false;
    await phase(`create ${dropped.length} indexes`, () =>
      shared(sessions, dropped, async (c, i) => {
        const start = performance.now();
        await c.query(i.indexdef);
        process.stderr.write(`  ${i.indexname}: ${seconds(performance.now() - start)}\n`);
      }),
    );
    dropped = [];
    // Done here, so that autovacuum does not start on 10M fresh rows in the middle of a benchmark.
    await phase('vacuum analyze', () => db.query('VACUUM (ANALYZE) ledger_entries, merkle_nodes, ledger_daily_counts, ledger_head'));
    const checked = await phase('verify sample', () => verifySample(db));
    const root = rootOf(edge);
    const { rows: head } = await db.query(`SELECT next_seq, array(SELECT encode(f, 'hex') FROM unnest(frontier) WITH ORDINALITY AS u(f, n) ORDER BY n) AS frontier FROM ledger_head WHERE id = 1`);
    if (Number(head[0].next_seq) !== N || rootOf(head[0].frontier) !== root) throw new Error('ledger_head does not hold the loaded tree');
    if (args['verify-full']) {
      const full = await phase('verify root from all leaves', () => fullRoot(db));
      if (full !== root) throw new Error(`the root from the leaves ${full} differs from the head's ${root}`);
    }
    const totalMs = performance.now() - started;
    process.stderr.write(`tree size ${N}, root ${root}, total ${seconds(totalMs)}\n`);
    console.log(JSON.stringify({ tree_size: N, root_hash: root, sample_checked: checked, full_root_checked: args['verify-full'], total_seconds: Number((totalMs / 1000).toFixed(1)), phases: phases.map((p) => ({ phase: p.name, seconds: Number((p.ms / 1000).toFixed(1)) })) }));
  } finally {
    if (loading) process.stderr.write('the load stopped part way: prepare the database again (node scripts/database.mjs --fresh) before loading\n');
    // Indexes dropped but not rebuilt: put them back, so the schema stays the migrations' schema.
    for (const i of dropped) {
      await db.query(i.indexdef.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS ')).catch((e) => process.stderr.write(`could not recreate ${i.indexname}: ${e.message}\n`));
    }
    for (const c of sessions) await c.end().catch(() => {});
  }
}

await main();
