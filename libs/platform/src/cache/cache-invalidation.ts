import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { TtlCache } from './ttl-cache.js';

export const CACHE_INVALIDATION_CHANNEL = 'kyc:cache-invalidation';
export const CACHE_KINDS = ['api-key', 'enterprise', 'contract', 'bank'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];
/** One changed row, or `all` (this instance may have missed messages: forget everything). */
export type Invalidation = { readonly kind: CacheKind; readonly id: string } | { readonly kind: 'all' };

/** What the bus needs of the connection it publishes on (RedisService's client). */
export interface InvalidationPublisher {
  publish(channel: string, message: string): Promise<unknown>;
}

/** What the bus needs of its dedicated connection in subscriber mode. */
export interface InvalidationSubscriber {
  connect(): Promise<void>;
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'error', listener: () => void): unknown;
}

const PUBLISH_ATTEMPTS = 4;
const PUBLISH_RETRY_MS = 200;

function parse(message: string): Invalidation | undefined {
  try {
    const value = JSON.parse(message) as { kind?: unknown; id?: unknown };
    if (value.kind === 'all') return { kind: 'all' };
    if (CACHE_KINDS.includes(value.kind as CacheKind) && typeof value.id === 'string') return { kind: value.kind as CacheKind, id: value.id };
  } catch {
    // Not ours: ignored below.
  }
  return undefined;
}

/**
 * The invalidation bus behind every in-process cache (ADR 0013). Admin writes publish `{kind, id}`
 * after their commit; every instance, this one at once, drops what it cached of that row. While the
 * subscriber is not subscribed, caches are bypassed; when it (re)subscribes they are cleared, since
 * messages sent meanwhile are lost. Built by PlatformModule, which owns the subscriber connection.
 */
export class CacheInvalidation implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CacheInvalidation.name);
  private readonly handlers = new Set<(invalidation: Invalidation) => void>();
  private subscribed = false;

  constructor(
    private readonly publisher: InvalidationPublisher,
    private readonly subscriber: InvalidationSubscriber,
  ) {
    subscriber.on('message', (channel, message) => {
      const invalidation = channel === CACHE_INVALIDATION_CHANNEL ? parse(message) : undefined;
      if (invalidation !== undefined) this.dispatch(invalidation);
    });
    subscriber.on('ready', () => void this.subscribe());
    subscriber.on('close', () => this.lost());
    subscriber.on('error', () => undefined);
  }

  /** True while messages reach this instance; caches must not answer otherwise. */
  get live(): boolean {
    return this.subscribed;
  }

  async onModuleInit(): Promise<void> {
    await this.subscriber.connect();
    if (!this.subscribed) await this.subscribe();
  }

  onModuleDestroy(): void {
    this.subscriber.disconnect();
  }

  /** Registers a handler for every invalidation (including `all`); answers how to unregister it. */
  onInvalidate(handler: (invalidation: Invalidation) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * A cache wired to the bus: cleared on `all`, bypassed while not live, and `invalidate` decides
   * what one changed row removes from it.
   */
  cache<K, V>(options: { max: number; ttlMs: number; invalidate: (change: { kind: CacheKind; id: string }, cache: TtlCache<K, V>) => void }): TtlCache<K, V> {
    const cache = new TtlCache<K, V>({ max: options.max, ttlMs: options.ttlMs, bypass: () => !this.subscribed });
    this.onInvalidate((invalidation) => {
      if (invalidation.kind === 'all') cache.clear();
      else options.invalidate(invalidation, cache);
    });
    return cache;
  }

  /** Call after the write committed: this instance forgets at once, the others when the message lands. */
  async publish(kind: CacheKind, id: string): Promise<void> {
    const invalidation = { kind, id };
    this.dispatch(invalidation);
    const message = JSON.stringify(invalidation);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.publisher.publish(CACHE_INVALIDATION_CHANNEL, message);
        return;
      } catch (err) {
        if (attempt >= PUBLISH_ATTEMPTS) {
          // The write stands; other instances fall back on their TTL (or a clear when their subscriber reconnects).
          this.logger.error({ err, kind, id }, 'cache invalidation could not be published');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, PUBLISH_RETRY_MS));
      }
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(CACHE_INVALIDATION_CHANNEL);
    } catch (err) {
      this.logger.warn({ err }, 'cache invalidation channel not subscribed; caches stay bypassed until the next reconnect');
      return;
    }
    // Messages published while we were away are lost: whatever was cached before may be stale.
    this.dispatch({ kind: 'all' });
    this.subscribed = true;
  }

  private lost(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    this.dispatch({ kind: 'all' });
  }

  private dispatch(invalidation: Invalidation): void {
    for (const handler of this.handlers) {
      try {
        handler(invalidation);
      } catch (err) {
        this.logger.error({ err, kind: invalidation.kind }, 'cache invalidation handler failed');
      }
    }
  }
}
