import { describe, expect, it } from 'vitest';
import { leafHash, type LedgerEntry, type NewLedgerEntry } from '@kyc/ledger';
import { MetricsService, ProblemError, type LedgerPool } from '@kyc/platform';
import { makeBrokerConfig } from '../../test/unit/factories.js';
import { LedgerAppender } from './ledger-appender.js';
import { numberBatch } from './ledger-batch.js';

const entry = (n: number, occurredAt = '2026-12-02T10:00:00.000Z'): NewLedgerEntry => ({
  type: 'identity.released',
  occurred_at: occurredAt,
  enterprise_id: 'ent_1',
  bank_id: 'bank-a',
  verification_id: `ver_${n}`,
  purpose: 'account_opening',
  outcome: 'ok',
  request_id: `req_${n}`,
});

/**
 * A stand-in for Postgres that answers `ledger_append` as the SQL function does: it writes only
 * when the batch starts at its head, and another "instance" can append between calls.
 */
class FakeLedgerDatabase {
  nextSeq = 0;
  lastOccurredAt: Date | null = null;
  calls: { firstSeq: number; size: number; inTransaction: boolean }[] = [];
  texts: string[] = [];
  failWith: Error | undefined;
  private inTransaction = false;
  /** Called before each ledger_append: lets a test append "from another instance". */
  beforeAppend: (() => void) | undefined;

  pool(): LedgerPool {
    const client = {
      query: async (sql: string, params: unknown[] = []) => {
        await Promise.resolve();
        if (this.failWith !== undefined) throw this.failWith;
        if (sql === 'BEGIN') this.inTransaction = true;
        if (sql === 'COMMIT' || sql === 'ROLLBACK') this.inTransaction = false;
        if (sql.startsWith('SELECT next_seq')) return { rows: [{ next_seq: String(this.nextSeq), last_occurred_at: this.lastOccurredAt }] };
        if (sql.includes('ledger_lock_head')) return { rows: [{ head_next_seq: String(this.nextSeq), head_last_occurred_at: this.lastOccurredAt }] };
        if (sql.includes('ledger_append')) {
          this.beforeAppend?.();
          const [first, texts, , , occurred] = params as [number, string[], string[], string[], string[]];
          this.calls.push({ firstSeq: first, size: texts.length, inTransaction: this.inTransaction });
          const firstAt = new Date(occurred[0] ?? '');
          if (first !== this.nextSeq || (this.lastOccurredAt !== null && firstAt < this.lastOccurredAt)) {
            return { rows: [{ head_next_seq: String(this.nextSeq), head_last_occurred_at: this.lastOccurredAt, appended: false }] };
          }
          this.texts.push(...texts);
          this.nextSeq += texts.length;
          this.lastOccurredAt = new Date(occurred.at(-1) ?? '');
          return { rows: [{ head_next_seq: String(this.nextSeq), head_last_occurred_at: this.lastOccurredAt, appended: true }] };
        }
        return { rows: [] };
      },
      release: () => undefined,
    };
    return { connect: async () => client } as unknown as LedgerPool;
  }
}

function appender(db: FakeLedgerDatabase, ledger: Partial<ReturnType<typeof makeBrokerConfig>['ledger']> = {}): LedgerAppender {
  const config = makeBrokerConfig();
  return new LedgerAppender(db.pool(), new MetricsService(), { ...config, ledger: { ...config.ledger, ...ledger } });
}

describe('numberBatch', () => {
  it('numbers from the head and never lets occurred_at go backwards', () => {
    const batch = numberBatch([entry(1, '2026-12-02T10:00:00.005Z'), entry(2, '2026-12-02T10:00:00.001Z')], 7, '2026-12-02T10:00:00.009Z');
    expect(batch.appended.map((a) => a.seq)).toEqual([7, 8]);
    expect(batch.columns.occurredAt).toEqual(['2026-12-02T10:00:00.009Z', '2026-12-02T10:00:00.009Z']);
    const first = JSON.parse(batch.texts[0] ?? '{}') as LedgerEntry;
    expect(first.seq).toBe(7);
    expect(leafHash(first)).toBe(batch.hashes[0]);
    expect(batch.columns.subjectRefs).toEqual([null, null]);
  });
});

describe('LedgerAppender', () => {
  it('writes the appends of concurrent requests in one call, and each caller learns its own seq', async () => {
    const db = new FakeLedgerDatabase();
    const ledger = appender(db);
    const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append(entry(i))));
    expect(db.calls).toEqual([{ firstSeq: 0, size: 20, inTransaction: false }]);
    expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(db.texts.map((t) => (JSON.parse(t) as LedgerEntry).verification_id)).toEqual(Array.from({ length: 20 }, (_, i) => `ver_${i}`));
  });

  it('spreads a full queue over the free connections once the head is known', async () => {
    const db = new FakeLedgerDatabase();
    const ledger = appender(db, { poolSize: 2 });
    await ledger.append(entry(0));
    await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append(entry(i + 1))));
    // Half goes at once, the rest to the other connection beside it; numbered one after the other.
    expect(db.calls[1]).toEqual({ firstSeq: 1, size: 10, inTransaction: false });
    expect(db.calls.slice(1).every((c) => !c.inTransaction && c.size <= 10)).toBe(true);
    expect(db.calls.slice(1).map((c) => c.firstSeq)).toEqual(db.calls.slice(1).map((_, i, all) => 1 + all.slice(0, i).reduce((n, c) => n + c.size, 0)));
    expect(db.nextSeq).toBe(21);
  });

  it('never writes more than batchMax entries at once', async () => {
    const db = new FakeLedgerDatabase();
    const ledger = appender(db, { batchMax: 8 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append(entry(i))));
    expect(db.calls.every((c) => c.size <= 8)).toBe(true);
    expect(db.nextSeq).toBe(20);
  });

  it('renumbers under the lock when another instance appended meanwhile, leaving no gap', async () => {
    const db = new FakeLedgerDatabase();
    const ledger = appender(db);
    await ledger.append(entry(0));
    // Another instance takes seq 1 and 2 before our next batch.
    db.beforeAppend = () => {
      db.beforeAppend = undefined;
      db.texts.push('{}', '{}');
      db.nextSeq += 2;
    };
    const [a, b] = await Promise.all([ledger.append(entry(1)), ledger.append(entry(2))]);
    expect([a?.seq, b?.seq]).toEqual([3, 4]);
    expect(db.calls.at(-1)).toEqual({ firstSeq: 3, size: 2, inTransaction: true });
    expect(db.nextSeq).toBe(5);
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE to every caller of a batch when the database is away, and recovers', async () => {
    const db = new FakeLedgerDatabase();
    const ledger = appender(db);
    db.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const failed = await Promise.allSettled([ledger.append(entry(1)), ledger.append(entry(2))]);
    for (const result of failed) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(ProblemError);
      expect((reason as ProblemError).code).toBe('DEPENDENCY_UNAVAILABLE');
    }
    db.failWith = undefined;
    expect((await ledger.append(entry(3))).seq).toBe(0);
  });

  it('writes what is queued before it stops', async () => {
    const db = new FakeLedgerDatabase();
    const ledger = appender(db, { batchWaitMs: 20 });
    const pending = ledger.append(entry(1));
    await ledger.onModuleDestroy();
    expect((await pending).seq).toBe(0);
  });
});
