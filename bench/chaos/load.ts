import type { BankId, ChaosStack } from './chaos-stack.js';

/** One identity release as a client saw it. */
export interface Seen {
  readonly started: number;
  readonly at: number;
  readonly bank: BankId;
  /** 0 when the connection broke without an answer. */
  readonly status: number;
  readonly code: string | undefined;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  readonly text: string;
  readonly ledger: { seq: number; leaf_hash: string } | undefined;
}

/** A committed change the writer saw succeed, and the event it must cause. */
export interface Change {
  readonly verificationId: string;
  readonly type: 'verification.authorized' | 'verification.revoked';
}

/**
 * Clients releasing identities through the balancer, spread over the current verifications of both
 * banks, plus one writer that keeps authorizing (a real consent at the bank) and revoking
 * verifications, so that state changes and their webhooks happen during every fault.
 */
export class Load {
  readonly seen: Seen[] = [];
  readonly changes: Change[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly stack: ChaosStack,
    private readonly pool: Record<BankId, string[]>,
    private readonly customers: Record<BankId, string[]>,
  ) {}

  start(clients: number): void {
    for (let n = 0; n < clients; n++) this.loops.push(this.client(n));
    this.loops.push(this.writer());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async client(n: number): Promise<void> {
    const banks: BankId[] = ['bank-a', 'bank-b'];
    for (let i = 0; this.running; i++) {
      const bank = banks[(n + i) % 2] ?? 'bank-a';
      const ids = this.pool[bank];
      const id = ids[(n + i) % ids.length] ?? '';
      const started = Date.now();
      let seen: Seen;
      try {
        const res = await this.stack.api(this.stack.keys.enterprise_key, 'GET', `/v1/verifications/${id}/identity`);
        const text = await res.text();
        const body = parse(text);
        seen = {
          started,
          at: Date.now(),
          bank,
          status: res.status,
          code: typeof body['code'] === 'string' ? body['code'] : undefined,
          retryAfter: res.headers.get('retry-after'),
          contentType: res.headers.get('content-type'),
          text: res.status === 200 ? '' : text,
          ledger: res.status === 200 ? (body['ledger_entry'] as Seen['ledger']) : undefined,
        };
      } catch {
        seen = { started, at: Date.now(), bank, status: 0, code: undefined, retryAfter: null, contentType: null, text: '', ledger: undefined };
      }
      this.seen.push(seen);
      if (seen.status !== 200) await sleep(50);
    }
  }

  private async writer(): Promise<void> {
    const banks: BankId[] = ['bank-a', 'bank-b'];
    for (let i = 0; this.running; i++) {
      const bank = banks[i % 2] ?? 'bank-a';
      const customers = this.customers[bank];
      try {
        const id = await this.stack.authorize(bank, customers[i % customers.length] ?? '');
        this.changes.push({ verificationId: id, type: 'verification.authorized' });
        const revoked = await this.stack.api(this.stack.keys.enterprise_key, 'DELETE', `/v1/verifications/${id}`);
        if (revoked.status === 204) this.changes.push({ verificationId: id, type: 'verification.revoked' });
      } catch {
        await sleep(200);
      }
    }
  }
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
