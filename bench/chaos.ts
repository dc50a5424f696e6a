/**
 * `npm run chaos`: the fault matrix of SPEC §9 against a stack of its own (bench/chaos/), under
 * load. Each scenario injects one fault while clients release identities and a writer authorizes
 * and revokes verifications, then checks: every 200 a client received has its ledger entry (seq
 * and leaf hash) and the seq has no gap; the independent monitor (`audit:verify`) verifies the
 * whole ledger; every answer that was not a 200 is a problem of the scenario's allowed kind, 503s
 * with Retry-After, none carrying internals; the first release succeeds within 5 s of the
 * dependency's return; and every committed change's webhook arrives, correctly signed. Prints a
 * table and writes bench/results/chaos.{json,md}; exits 1 when a scenario fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChaosStack, PORTS, run, type BankId } from './chaos/chaos-stack.js';
import { Load, sleep, type Seen } from './chaos/load.js';
import { writeResult } from './support/stack.js';

const CLIENTS = 8;
/** `CHAOS_ONLY=<text>`: only the scenarios whose name contains it. */
const ONLY = (process.env['CHAOS_ONLY'] ?? '').toLowerCase();
const chosen = (name: string): boolean => name.toLowerCase().includes(ONLY);
const OUTBOX_CRASH = 'kill -9 between commit and enqueue';
const RECOVERY_BAR_SECONDS = 5;
const INTERNALS = /ECONNREFUSED|ECONNRESET|prisma|ioredis|postgres|node_modules|\bat \S+ \(|127\.0\.0\.1|SELECT|INSERT|stack/i;

/** The answers besides 200 a scenario may see: status → problem codes. */
type Allowed = Readonly<Record<number, readonly string[]>>;

interface Scenario {
  readonly name: string;
  /** Whose releases the fault touches (recovery is measured on those). */
  readonly affects: 'all' | BankId;
  readonly allowed: Allowed;
  /** Whether connections may break without an answer (a process killed with requests in flight). */
  readonly resets?: boolean;
  /**
   * Whether clients must feel the fault (an answer that is not a 200, or one slower than 1.5 s,
   * among the affected releases started while it lasted) — proof that it was injected at all. Off
   * where the point is that a survivor hides it.
   */
  readonly felt?: boolean;
  /** Injects the fault and removes it; answers when the dependency was back. */
  run(stack: ChaosStack, load: Load): Promise<number>;
  /** Extra checks of the scenario's own; answers a failure, or undefined. */
  check?(stack: ChaosStack): Promise<string | undefined>;
}

const INFRA: Allowed = { 503: ['DEPENDENCY_UNAVAILABLE'] };
const BANK_DOWN: Allowed = { 503: ['BANK_UNAVAILABLE', 'BANK_BUSY'] };

/** A fault that lasts `ms`: `start`, wait, `end`; answers the moment it ended (the dependency's return). */
function lasting(ms: number, start: (stack: ChaosStack) => unknown, end: (stack: ChaosStack) => unknown): Scenario['run'] {
  return async (stack) => {
    await start(stack);
    await sleep(ms);
    await end(stack);
    return Date.now();
  };
}

let terminatedExit: number | null | undefined;
let midBatchDeath: NodeJS.Signals | 'timeout' | null | undefined;

const SCENARIOS: Scenario[] = [
  {
    name: 'Postgres restart',
    affects: 'all',
    allowed: INFRA,
    run: lasting(1_000, (stack) => stack.postgres.stopServer('fast'), (stack) => stack.postgres.startServer()),
  },
  {
    name: 'Postgres unreachable 3 s',
    affects: 'all',
    allowed: INFRA,
    run: lasting(3_000, (stack) => stack.postgresProxy.cut(), (stack) => stack.postgresProxy.restore()),
  },
  {
    name: 'Redis restart',
    affects: 'all',
    allowed: INFRA,
    run: lasting(2_000, (stack) => stack.redis.stopServer(), (stack) => stack.redis.startServer()),
    // The restarted Redis forgot the checkpoint schedule; the brokers must put it back.
    check: scheduledCheckpointAfter,
  },
  {
    name: 'bank A slow (3 s > 2 s timeout)',
    affects: 'bank-a',
    allowed: BANK_DOWN,
    run: lasting(4_000, (stack) => stack.control('bank-a', { latency_ms: 3_000 }), (stack) => stack.control('bank-a', { latency_ms: 0 })),
  },
  {
    name: 'bank B erroring (50 %)',
    affects: 'bank-b',
    allowed: { ...BANK_DOWN, 502: ['BANK_ERROR'] },
    run: lasting(4_000, (stack) => stack.control('bank-b', { error_rate: 0.5 }), (stack) => stack.control('bank-b', { error_rate: 0 })),
  },
  {
    name: 'bank A malformed (50 %)',
    affects: 'bank-a',
    allowed: { 502: ['BANK_PAYLOAD_INVALID'] },
    run: lasting(4_000, (stack) => stack.control('bank-a', { malformed_rate: 0.5 }), (stack) => stack.control('bank-a', { malformed_rate: 0 })),
  },
  {
    name: 'bank B maintenance',
    affects: 'bank-b',
    allowed: BANK_DOWN,
    run: lasting(3_000, (stack) => stack.control('bank-b', { maintenance: true }), (stack) => stack.control('bank-b', { maintenance: false })),
  },
  {
    name: 'bank A hung (SIGSTOP)',
    affects: 'bank-a',
    allowed: BANK_DOWN,
    run: lasting(3_000, (stack) => stack.banks.get('bank-a')?.kill('SIGSTOP'), (stack) => stack.banks.get('bank-a')?.kill('SIGCONT')),
  },
  {
    name: 'bank B down (unreachable 3 s)',
    affects: 'bank-b',
    allowed: BANK_DOWN,
    run: lasting(3_000, (stack) => stack.bankProxy.cut(), (stack) => stack.bankProxy.restore()),
  },
  {
    name: 'kill -9 of one of two brokers',
    affects: 'all',
    allowed: INFRA,
    resets: true,
    felt: false,
    async run(stack) {
      const victim = PORTS.brokers[1];
      await stack.killBroker(victim, 'SIGKILL');
      const killedAt = Date.now();
      await sleep(2_000);
      await stack.startBroker(victim);
      // The survivor carries the service from the moment of the kill.
      return killedAt;
    },
    async check(stack) {
      const res = await stack.api(stack.keys.auditor_key, 'GET', '/v1/audit/entries?limit=1', undefined, `http://127.0.0.1:${PORTS.brokers[1]}`);
      return res.status === 200 ? undefined : `the restarted broker answered ${res.status}`;
    },
  },
  {
    name: 'kill -9 mid ledger batch (before COMMIT)',
    affects: 'all',
    allowed: INFRA,
    resets: true,
    felt: false,
    async run(stack) {
      // The second broker again, now dying with its first batch of releases appended, uncommitted.
      const victim = PORTS.brokers[1];
      await stack.killBroker(victim, 'SIGTERM');
      const child = stack.spawnBroker(victim, { BROKER_FAILPOINT: 'crash-before-ledger-commit' });
      const died = await Promise.race([
        new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal))),
        sleep(20_000).then(() => 'timeout' as const),
      ]);
      midBatchDeath = died;
      const diedAt = Date.now();
      await stack.killBroker(victim, 'SIGKILL');
      await stack.startBroker(victim);
      return diedAt;
    },
    async check() {
      return midBatchDeath === 'SIGKILL' ? undefined : `the broker did not die mid-batch (${String(midBatchDeath)})`;
    },
  },
  {
    name: 'SIGTERM of one of two brokers',
    affects: 'all',
    allowed: INFRA,
    felt: false,
    async run(stack) {
      const victim = PORTS.brokers[0];
      const child = stack.brokers.get(victim);
      const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
      child?.kill('SIGTERM');
      const at = Date.now();
      terminatedExit = await exited;
      await stack.startBroker(victim);
      return at;
    },
    async check() {
      return terminatedExit === 0 ? undefined : `the terminated broker exited with ${String(terminatedExit)}, not 0`;
    },
  },
];

/** A release grows the tree; then a scheduled checkpoint must cover it (CHECKPOINT_INTERVAL_MS 5 s). */
async function scheduledCheckpointAfter(stack: ChaosStack): Promise<string | undefined> {
  const latest = async (): Promise<number> => Number((await stack.owner.query<{ n: string | null }>('SELECT max(tree_size)::text AS n FROM checkpoints')).rows[0]?.n ?? 0);
  const { rows } = await stack.owner.query<{ n: string }>('SELECT next_seq::text AS n FROM ledger_head');
  const size = Number(rows[0]?.n ?? 0);
  for (let i = 0; i < 40; i++) {
    if ((await latest()) >= size) return undefined;
    await sleep(500);
  }
  return `no scheduled checkpoint covered the ledger's ${size} entries within 20 s`;
}

interface Row {
  scenario: string;
  requests: number;
  ok: number;
  unavailable: number;
  other: number;
  recovery_seconds: number | null;
  ledger: string;
  webhooks: string;
  faults: string;
  pass: boolean;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const stack = new ChaosStack();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'kyc-chaos-monitor-'));
  const rows: Row[] = [];
  try {
    console.log('starting the chaos stack (private Postgres and Redis, both banks, two brokers, a balancer)');
    await stack.start();
    const customers = { 'bank-a': await stack.verifiedCustomers('bank-a', 20), 'bank-b': await stack.verifiedCustomers('bank-b', 20) };
    const pool: Record<BankId, string[]> = { 'bank-a': [], 'bank-b': [] };
    for (const bank of ['bank-a', 'bank-b'] as const) {
      for (const username of customers[bank].slice(0, 4)) pool[bank].push(await stack.authorize(bank, username));
    }
    for (const scenario of SCENARIOS.filter((s) => chosen(s.name))) {
      process.stdout.write(`\n${scenario.name}: `);
      const row = await runScenario(stack, scenario, pool, customers, path.join(stateDir, 'monitor.json'));
      console.log(row.pass ? 'ok' : `FAILED (${[row.ledger, row.webhooks, row.faults].filter((s) => s !== 'ok').join('; ')})`);
      rows.push(row);
    }
    if (chosen(OUTBOX_CRASH)) rows.push(await outboxCrash(stack, customers, path.join(stateDir, 'monitor.json')));
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  report(rows, Math.round((Date.now() - startedAt) / 1000));
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}

async function runScenario(stack: ChaosStack, scenario: Scenario, pool: Record<BankId, string[]>, customers: Record<BankId, string[]>, monitorState: string): Promise<Row> {
  const load = new Load(stack, pool, customers);
  load.start(CLIENTS);
  await sleep(1_500);
  const injectedAt = Date.now();
  const returnedAt = await scenario.run(stack, load);
  await sleep(6_000);
  await load.stop();
  const seen = load.seen;
  const recovery = recoverySeconds(seen, scenario.affects, returnedAt);
  const felt = seen.some((s) => (scenario.affects === 'all' || s.bank === scenario.affects) && s.started >= injectedAt && s.started <= returnedAt && (s.status !== 200 || s.at - s.started > 1_500));
  const faults = [checkAnswers(seen, scenario), scenario.felt === false || felt ? undefined : 'no client felt the fault', recovery === null ? 'no release succeeded after the return' : recovery > RECOVERY_BAR_SECONDS ? `recovery ${recovery} s > ${RECOVERY_BAR_SECONDS} s` : undefined, await scenario.check?.(stack)]
    .filter((s): s is string => s !== undefined)
    .join('; ');
  const ledger = await checkLedger(stack, seen, monitorState);
  const webhooks = await checkWebhooks(stack, load.changes.map((c) => `${c.type} ${c.verificationId}`));
  return row(scenario.name, seen, recovery, ledger, webhooks, faults || 'ok');
}

function row(scenario: string, seen: readonly Seen[], recovery: number | null, ledger: string, webhooks: string, faults: string): Row {
  const ok = seen.filter((s) => s.status === 200).length;
  const unavailable = seen.filter((s) => s.status === 503).length;
  return {
    scenario,
    requests: seen.length,
    ok,
    unavailable,
    other: seen.length - ok - unavailable,
    recovery_seconds: recovery,
    ledger,
    webhooks,
    faults,
    pass: ledger === 'ok' && webhooks === 'ok' && faults === 'ok',
  };
}

function recoverySeconds(seen: readonly Seen[], affects: Scenario['affects'], returnedAt: number): number | null {
  const first = seen.find((s) => s.status === 200 && s.at >= returnedAt && (affects === 'all' || s.bank === affects));
  return first === undefined ? null : Math.round((first.at - returnedAt) / 100) / 10;
}

/** Every answer but a 200 is a problem the scenario allows, without internals; 503s say when to retry. */
function checkAnswers(seen: readonly Seen[], scenario: Scenario): string | undefined {
  const wrong = new Map<string, number>();
  const note = (what: string): void => void wrong.set(what, (wrong.get(what) ?? 0) + 1);
  for (const s of seen) {
    if (s.status === 200) continue;
    if (s.status === 0) {
      if (scenario.resets !== true) note('connection broke');
      continue;
    }
    if (!(scenario.allowed[s.status] ?? []).includes(s.code ?? '')) note(`${s.status} ${s.code ?? s.text.slice(0, 60)}`);
    else if (!(s.contentType ?? '').startsWith('application/problem+json')) note(`${s.status} not problem+json`);
    else if (s.status === 503 && !(Number(s.retryAfter) > 0)) note('503 without Retry-After');
    else if (INTERNALS.test(s.text)) note(`${s.status} carrying internals`);
  }
  if (wrong.size === 0) return undefined;
  return [...wrong].map(([what, n]) => `${n}× ${what}`).join(', ');
}

/**
 * Every 200 has its entry (seq and leaf hash), the seq has no gap, and the independent monitor
 * verifies the whole ledger against a new signed checkpoint, consistent with the last it saw.
 */
async function checkLedger(stack: ChaosStack, seen: readonly Seen[], monitorState: string): Promise<string> {
  const { rows } = await stack.owner.query<{ seq: string; leaf_hash: string }>('SELECT seq::text AS seq, leaf_hash FROM ledger_entries ORDER BY ledger_entries.seq');
  const gap = rows.findIndex((r, i) => Number(r.seq) !== i);
  if (gap !== -1) return `gap at seq ${gap}`;
  const leaves = new Map(rows.map((r) => [Number(r.seq), r.leaf_hash]));
  const missing = seen.filter((s) => s.status === 200 && (s.ledger === undefined || leaves.get(s.ledger.seq) !== s.ledger.leaf_hash)).length;
  if (missing > 0) return `${missing} released identities without their ledger entry`;
  const monitor = await run(
    'node',
    [
      'dist/apps/broker/src/cli/audit-verify.js',
      '--url', stack.url,
      '--state', monitorState,
      '--log-key', stack.keys.ledger_log_key,
      ...stack.keys.ledger_witness_keys.flatMap((k) => ['--witness', k]),
      '--quorum', '1',
      '--quiet',
    ],
    { ...process.env, AUDITOR_KEY: stack.keys.auditor_key },
  ).then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  if (monitor !== undefined) return `audit:verify failed: ${monitor.trim().split('\n').slice(-2).join(' ')}`;
  return 'ok';
}

/**
 * Every event the outbox holds, and one for every change the writer saw succeed, arrives at the
 * receiver at least once with a valid signature (waiting up to 30 s for retries to land).
 */
async function checkWebhooks(stack: ChaosStack, expectedChanges: readonly string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await stack.owner.query<{ id: string }>('SELECT id FROM webhook_deliveries');
    const received = stack.hooks.received();
    const changes = new Set(stack.hooks.deliveries.map((d) => `${d.type} ${d.verificationId}`));
    const undelivered = rows.filter((r) => !received.has(r.id)).length;
    const unreported = expectedChanges.filter((c) => !changes.has(c)).length;
    const unsigned = stack.hooks.deliveries.filter((d) => !d.signatureValid).length;
    if (unsigned > 0) return `${unsigned} deliveries with a bad signature`;
    if (undelivered === 0 && unreported === 0) return 'ok';
    if (Date.now() > deadline) return `${undelivered} outbox events undelivered, ${unreported} committed changes without their event`;
    await sleep(500);
  }
}

/**
 * The outbox's promise with a real crash: a broker that kills itself (SIGKILL) right after a
 * revocation and its outbox row committed, before the event is queued. The revocation stands and
 * another instance's relay delivers its event; the revocation at the bank is recorded for its job.
 */
async function outboxCrash(stack: ChaosStack, customers: Record<BankId, string[]>, monitorState: string): Promise<Row> {
  process.stdout.write(`\n${OUTBOX_CRASH}: `);
  const id = await stack.authorize('bank-a', customers['bank-a'][5] ?? '');
  const crashing = await stack.startBroker(PORTS.crashing, { BROKER_FAILPOINT: 'crash-after-outbox-commit' });
  const died = new Promise<NodeJS.Signals | null>((resolve) => crashing.once('exit', (_code, signal) => resolve(signal)));
  const answer = await stack.api(stack.keys.enterprise_key, 'DELETE', `/v1/verifications/${id}`, undefined, `http://127.0.0.1:${PORTS.crashing}`).then(
    (res) => String(res.status),
    () => 'no answer',
  );
  const signal = await died;
  const faults: string[] = [];
  if (signal !== 'SIGKILL') faults.push(`the broker ended with ${String(signal)}, not SIGKILL`);
  if (answer !== 'no answer') faults.push(`the crashing broker answered ${answer}`);
  const after = await stack.api(stack.keys.enterprise_key, 'GET', `/v1/verifications/${id}`);
  const status = ((await after.json()) as { status?: string }).status;
  if (status !== 'revoked') faults.push(`the verification is ${String(status)}, not revoked`);
  const webhooks = await checkWebhooks(stack, [`verification.revoked ${id}`]);
  const revocation = await revokedAtBank(stack, id);
  if (revocation !== 'done') faults.push(`the revocation at the bank is ${revocation}, not done`);
  const ledger = await checkLedger(stack, [], monitorState);
  const result = row(OUTBOX_CRASH, [], null, ledger, webhooks, faults.join('; ') || 'ok');
  console.log(result.pass ? 'ok' : `FAILED (${[result.ledger, result.webhooks, result.faults].filter((s) => s !== 'ok').join('; ')})`);
  return result;
}

/** The state of a verification's revocation at its bank, once its job ran (waiting up to 15 s). */
async function revokedAtBank(stack: ChaosStack, verificationId: string): Promise<string> {
  let status = 'missing';
  for (let i = 0; i < 30; i++) {
    const { rows } = await stack.owner.query<{ status: string }>('SELECT status::text AS status FROM bank_revocations WHERE verification_id = $1', [verificationId]);
    status = rows.length === 1 ? (rows[0]?.status ?? 'missing') : `${rows.length} rows`;
    if (status === 'done') return status;
    await sleep(500);
  }
  return status;
}

function report(rows: readonly Row[], seconds: number): void {
  const lines = [
    '# npm run chaos',
    '',
    `${CLIENTS} clients releasing identities through a balancer in front of two brokers, one writer authorizing and revoking; recovery bar ${RECOVERY_BAR_SECONDS} s; the whole run took ${seconds} s.`,
    '',
    '| scenario | requests | 200s | 503s | other | recovery s | ledger check | webhook check | answers | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${r.requests} | ${r.ok} | ${r.unavailable} | ${r.other} | ${r.recovery_seconds ?? '–'} | ${r.ledger} | ${r.webhooks} | ${r.faults} | **${r.pass ? 'PASS' : 'FAIL'}** |`),
  ];
  writeResult('chaos', { measured_at: new Date().toISOString(), seconds, rows }, lines);
  console.log(`\n${lines.join('\n')}`);
}

await main();
