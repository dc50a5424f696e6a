import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { BROKER_CONFIG, newSubscriberConnection, type BrokerConfig } from '@kyc/platform';
import { SLOT_FREED_CHANNEL } from './bank-slots.js';

/** While the channel is not subscribed, a waiter looks again this often (no message can wake it). */
const UNSUBSCRIBED_RECHECK_MS = 25;

interface Waiter {
  readonly wake: () => void;
}

/**
 * Callers queued for a bank's concurrency lease sleep here instead of polling Redis: a lease handed
 * back while the bank was full publishes the bank's id (BankSlots' settle script), and each instance
 * wakes its longest-waiting caller for that bank, which then asks for the lease. A waiter also wakes
 * by itself at its deadline (the earliest lease's expiry, or its budget), so a crashed instance's
 * lease or a lost message only delays it.
 */
@Injectable()
export class SlotWakeups implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SlotWakeups.name);
  private readonly subscriber: ReturnType<typeof newSubscriberConnection>;
  private readonly waiting = new Map<string, Waiter[]>();
  private subscribed = false;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    this.subscriber = newSubscriberConnection(config);
    this.subscriber.on('message', (channel: string, bankId: string) => {
      if (channel === SLOT_FREED_CHANNEL) this.wakeOne(bankId);
    });
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
  }

  async onModuleInit(): Promise<void> {
    await this.subscriber.connect().catch(() => undefined);
  }

  onModuleDestroy(): void {
    for (const queue of this.waiting.values()) for (const waiter of queue) waiter.wake();
    this.waiting.clear();
    this.subscriber.disconnect();
  }

  /** Resolves when a lease of `bankId` may have been freed, or after `maxMs` at the latest. */
  wait(bankId: string, maxMs: number): Promise<void> {
    const ms = this.subscribed ? maxMs : Math.min(maxMs, UNSUBSCRIBED_RECHECK_MS);
    return new Promise((resolve) => {
      const queue = this.waiting.get(bankId) ?? [];
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        if (queue.length === 0 && this.waiting.get(bankId) === queue) this.waiting.delete(bankId);
        resolve();
      }, Math.max(1, ms));
      queue.push(waiter);
      this.waiting.set(bankId, queue);
    });
  }

  private wakeOne(bankId: string): void {
    const queue = this.waiting.get(bankId);
    const waiter = queue?.shift();
    if (queue?.length === 0) this.waiting.delete(bankId);
    waiter?.wake();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(SLOT_FREED_CHANNEL);
      this.subscribed = true;
    } catch (err) {
      this.logger.warn({ err }, 'slot wake-up channel not subscribed; waiters look again every 25 ms');
    }
  }
}
