import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { NewLedgerEntry } from '@kyc/ledger';
import { BROKER_CONFIG, LedgerPool, MetricsService, ProblemError, type BrokerConfig } from '@kyc/platform';
import type pg from 'pg';
import { APPEND_SQL, appendParameters, headAnswer, numberBatch, type AppendedEntry, type HeadAnswer, type HeadRow, type NumberedBatch } from './ledger-batch.js';

/**
 * What must still hold when a release's entry is written, checked in the append's own transaction
 * with the rows share-locked (so a revocation, suspension or contract end either committed before —
 * and the release is refused — or waits until the release committed): the verification is
 * authorized with its tokens, its contract is this one, active, inside its window, still permits
 * the purpose and the released claims, and the enterprise is active.
 */
export interface ReleaseGuard {
  readonly verificationId: string;
  readonly contractId: string;
  readonly purpose: string;
  readonly claims: readonly string[];
}

interface Waiter {
  readonly entry: NewLedgerEntry;
  readonly guard: ReleaseGuard | undefined;
  readonly resolve: (appended: AppendedEntry) => void;
  readonly reject: (err: unknown) => void;
}

/** Connection and availability failures of node-postgres: the database, not the request, is at fault. */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(08|53|57P|58)/.test(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message);
}

/**
 * Group commit for the ledger (docs/adr/0011): appends from concurrent requests of this instance
 * are collected while a commit is in flight (or for `batchWaitMs` when none is) and written together
 * by one call of `ledger_append`, which takes the head lock once, hashes the new subtrees from the
 * right edge and writes entries, nodes, counts and head in one statement. Every caller resolves only
 * after COMMIT, so an identity never leaves before its entry is durable.
 *
 * The appender remembers the head it last wrote; when another instance appended meanwhile the call
 * writes nothing and answers the real head, and the batch is renumbered and retried once the lock is
 * held, so instances interleave gap-free.
 */
@Injectable()
export class LedgerAppender implements OnModuleDestroy {
  private queue: Waiter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: { readonly cancel: () => void } | undefined;
  /** The head once every batch in flight has landed; unknown after a failure or a miss. */
  private expected: HeadAnswer | undefined;

  constructor(
    private readonly pool: LedgerPool,
    private readonly metrics: MetricsService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  /** Resolves once the entry is committed; rejects (503 when the database is away) when it is not. */
  append(entry: NewLedgerEntry, guard?: ReleaseGuard): Promise<AppendedEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, guard, resolve, reject });
      this.schedule();
    });
  }

  async onModuleDestroy(): Promise<void> {
    // Whatever is queued is written before the pool closes.
    this.cancelTimer();
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      if (this.queue.length > 0 && this.inFlight.size === 0) this.flush();
      await Promise.all(this.inFlight);
    }
  }

  /**
   * Up to `poolSize` batches are in flight while the head is known (each numbered after the one
   * before it; the database takes them in turn under the head lock, checking the next batch while
   * the previous one commits), one while it is not. With nothing in flight a batch leaves as soon as
   * the appends of the current turn of the event loop are in (waiting would only idle the
   * database); beside a batch in flight the next one waits up to `batchWaitMs` for company.
   */
  private schedule(): void {
    const slots = this.expected === undefined ? 1 : this.config.ledger.poolSize;
    if (this.queue.length === 0 || this.inFlight.size >= slots || this.timer !== undefined) return;
    if (this.queue.length >= this.config.ledger.batchMax) {
      this.flush();
      return;
    }
    const flush = (): void => this.flush();
    if (this.inFlight.size === 0 || this.config.ledger.batchWaitMs === 0) {
      const handle = setImmediate(flush);
      this.timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(flush, this.config.ledger.batchWaitMs);
      this.timer = { cancel: () => clearTimeout(handle) };
    }
  }

  private flush(): void {
    this.cancelTimer();
    // Spread what is queued over the free slots, so that batches overlap in the database.
    const slots = this.expected === undefined ? 1 : this.config.ledger.poolSize;
    const share = Math.ceil(this.queue.length / Math.max(1, slots - this.inFlight.size));
    const batch = this.queue.splice(0, Math.min(this.config.ledger.batchMax, share));
    if (batch.length === 0) return;
    const entries = batch.map((w) => w.entry);
    const guess = this.expected;
    const numbered = guess === undefined ? undefined : numberBatch(entries, guess.nextSeq, guess.lastOccurredAt);
    if (guess !== undefined && numbered !== undefined) {
      this.expected = { nextSeq: guess.nextSeq + entries.length, lastOccurredAt: numbered.columns.occurredAt.at(-1) ?? guess.lastOccurredAt, appended: true };
    }
    const done = this.commit(batch, guess, numbered).finally(() => {
      this.inFlight.delete(done);
      this.schedule();
    });
    this.inFlight.add(done);
    this.schedule();
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async commit(batch: Waiter[], guess: HeadAnswer | undefined, numbered: NumberedBatch | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const guarded = batch.some((w) => w.guard !== undefined);
      const { written, attempts, refusals } = guarded ? await this.writeGuarded(batch, guess, numbered) : { ...(await this.write(batch.map((w) => w.entry), numbered)), refusals: [] };
      this.metrics.ledgerBatchSize.observe(batch.length);
      this.metrics.ledgerCommitSeconds.observe({ attempts: String(attempts) }, Number(process.hrtime.bigint() - started) / 1e9);
      batch.forEach((waiter, i) => {
        const appended = written.appended[i];
        const refused = refusals[i];
        if (appended === undefined) waiter.reject(new Error('ledger batch lost an entry'));
        else if (refused !== undefined) {
          this.metrics.ledgerAppends.inc({ type: 'release.failed', outcome: 'failed' });
          waiter.reject(refused);
        } else {
          this.metrics.ledgerAppends.inc({ type: waiter.entry.type, outcome: waiter.entry.outcome });
          waiter.resolve(appended);
        }
      });
    } catch (err) {
      // Whether a failed commit reached the database is unknown: read the head again next time.
      this.expected = undefined;
      const answer = isUnavailable(err)
        ? new ProblemError('DEPENDENCY_UNAVAILABLE', 'The ledger database is unavailable; nothing was released. Retry shortly.')
        : err;
      for (const waiter of batch) waiter.reject(answer);
    }
  }

  /** One autocommit call when the expected head is right; else renumber under the head lock. */
  private async write(entries: readonly NewLedgerEntry[], numbered: NumberedBatch | undefined): Promise<{ written: NumberedBatch; attempts: number }> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      let batch = numbered;
      if (batch === undefined) {
        const head = await this.readHead(client);
        batch = numberBatch(entries, head.nextSeq, head.lastOccurredAt);
      }
      let answer = await this.call(client, batch);
      if (answer.appended) {
        this.landed(answer, numbered === undefined);
        return { written: batch, attempts: 1 };
      }
      // Another instance appended (or a batch before this one missed): the batches numbered after
      // this one will miss too, so nothing is numbered from a guess until the head is known again.
      // Renumbered under the head lock, held to COMMIT, the retry cannot miss.
      this.expected = undefined;
      await client.query('BEGIN');
      try {
        ({ batch, answer } = await this.appendUnderHeadLock(client, entries));
        await client.query('COMMIT');
        this.landed(answer, true);
        return { written: batch, attempts: 2 };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    } catch (err) {
      broken ||= isUnavailable(err);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * A batch with releases: one transaction that share-locks what each release depends on, writes a
   * `release.failed` entry (with the reason's code) in place of each release that no longer holds,
   * and appends under the head lock when the expected head turns out wrong.
   */
  private async writeGuarded(
    batch: readonly Waiter[],
    guess: HeadAnswer | undefined,
    numbered: NumberedBatch | undefined,
  ): Promise<{ written: NumberedBatch; attempts: number; refusals: (ProblemError | undefined)[] }> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const ids = [...new Set(batch.flatMap((w) => (w.guard === undefined ? [] : [w.guard.verificationId])))];
        const { rows } = await client.query<GuardRow>(GUARD_SQL, [ids]);
        const found = new Map(rows.map((r) => [r.id, r]));
        const refusals = batch.map((w) => (w.guard === undefined ? undefined : refusalOf(w.guard, found.get(w.guard.verificationId))));
        const entries = batch.map((w, i) => {
          const refused = refusals[i];
          return refused === undefined ? w.entry : failedRelease(w.entry, refused.code);
        });
        let attempts = 1;
        let written = numbered !== undefined && guess !== undefined && refusals.every((r) => r === undefined) ? numbered : undefined;
        if (written === undefined && guess !== undefined) written = numberBatch(entries, guess.nextSeq, guess.lastOccurredAt);
        let answer = written === undefined ? undefined : await this.call(client, written);
        if (written === undefined || answer === undefined || !answer.appended) {
          this.expected = undefined;
          attempts = 2;
          ({ batch: written, answer } = await this.appendUnderHeadLock(client, entries));
        }
        // Chaos runs only (refused in production): die with the batch appended but not committed.
        if (this.config.failpoint === 'crash-before-ledger-commit') process.kill(process.pid, 'SIGKILL');
        await client.query('COMMIT');
        this.landed(answer, attempts === 2);
        return { written, attempts, refusals };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    } catch (err) {
      broken ||= isUnavailable(err);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Inside the caller's transaction: takes the head lock (held to COMMIT), numbers from it, appends. */
  private async appendUnderHeadLock(client: pg.PoolClient, entries: readonly NewLedgerEntry[]): Promise<{ batch: NumberedBatch; answer: HeadAnswer }> {
    const { rows } = await client.query<{ head_next_seq: string; head_last_occurred_at: Date | null }>('SELECT head_next_seq, head_last_occurred_at FROM ledger_lock_head()');
    const head = rows[0];
    if (head === undefined) throw new Error('ledger_head is missing its row');
    const batch = numberBatch(entries, Number(head.head_next_seq), head.head_last_occurred_at?.toISOString() ?? null);
    const answer = await this.call(client, batch);
    if (!answer.appended) throw new Error('the ledger head moved while its lock was held');
    return { batch, answer };
  }

  /** A batch read from the real head tells the head, unless batches numbered since are further on. */
  private landed(answer: HeadAnswer, fromRealHead: boolean): void {
    if (fromRealHead && (this.expected === undefined || this.expected.nextSeq <= answer.nextSeq)) this.expected = answer;
  }

  private async readHead(client: pg.PoolClient): Promise<HeadAnswer> {
    const { rows } = await client.query<{ next_seq: string; last_occurred_at: Date | null }>('SELECT next_seq, last_occurred_at FROM ledger_head WHERE id = 1');
    const row = rows[0];
    if (row === undefined) throw new Error('ledger_head is missing its row');
    return { nextSeq: Number(row.next_seq), lastOccurredAt: row.last_occurred_at?.toISOString() ?? null, appended: false };
  }

  private async call(client: pg.PoolClient, batch: NumberedBatch): Promise<HeadAnswer> {
    const { rows } = await client.query<HeadRow>(APPEND_SQL, appendParameters(batch));
    return headAnswer(rows[0]);
  }
}

interface GuardRow {
  id: string;
  status: string;
  has_tokens: boolean;
  contract_id: string;
  contract_status: string;
  in_window: boolean;
  purposes: string[];
  claims: string[];
  enterprise_status: string;
}

/** The rows a release depends on, share-locked until the append commits (see ReleaseGuard). */
const GUARD_SQL = `SELECT v.id, v.status::text AS status, v.tokens_sealed IS NOT NULL AS has_tokens, v.contract_id,
  c.status::text AS contract_status, (c.valid_from IS NULL OR c.valid_from <= now()) AND (c.valid_until IS NULL OR now() < c.valid_until) AS in_window,
  c.purposes, c.claims, e.status::text AS enterprise_status
FROM verifications v JOIN contracts c ON c.id = v.contract_id JOIN enterprises e ON e.id = v.enterprise_id
WHERE v.id = ANY($1::text[])
ORDER BY v.id
FOR SHARE OF v, c, e`;

function refusalOf(guard: ReleaseGuard, row: GuardRow | undefined): ProblemError | undefined {
  if (row === undefined || row.status === 'revoked') {
    return new ProblemError('CONSENT_REQUIRED', 'The consent was revoked while the bank answered; nothing was released.');
  }
  if (row.status !== 'authorized' || !row.has_tokens) {
    return new ProblemError('CONSENT_EXPIRED', 'Access to this verification ended while the bank answered; nothing was released.');
  }
  if (row.enterprise_status !== 'active') return new ProblemError('ENTERPRISE_SUSPENDED', 'This enterprise is suspended.');
  if (row.contract_id !== guard.contractId || row.contract_status !== 'active' || !row.in_window || !row.purposes.includes(guard.purpose)) {
    return new ProblemError('CONTRACT_NOT_FOUND', 'The contract ended while the bank answered; nothing was released.');
  }
  if (guard.claims.some((c) => !row.claims.includes(c))) {
    return new ProblemError('CLAIMS_NOT_PERMITTED', 'The contract narrowed while the bank answered; nothing was released.');
  }
  return undefined;
}

/** What the ledger records in place of a release that no longer held: the attempt, without claims or commitments. */
function failedRelease(entry: NewLedgerEntry, code: string): NewLedgerEntry {
  const { claims: _claims, commitments: _commitments, verification_process: _process, ...rest } = entry;
  return { ...rest, type: 'release.failed', outcome: 'failed', error_code: code };
}
