import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CACHE_INVALIDATION_CHANNEL, CacheInvalidation, type Invalidation } from './cache-invalidation.js';

/** Redis in subscriber mode, as far as the bus uses it. */
class FakeSubscriber extends EventEmitter {
  readonly subscribe = vi.fn(async (_channel: string) => 1);
  async connect(): Promise<void> {
    this.emit('ready');
  }
  disconnect(): void {
    this.emit('close');
  }
  deliver(message: string, channel = CACHE_INVALIDATION_CHANNEL): void {
    this.emit('message', channel, message);
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(CacheInvalidation.name, () => {
  let sut: CacheInvalidation;
  let subscriber: FakeSubscriber;
  let publish: ReturnType<typeof vi.fn<(channel: string, message: string) => Promise<unknown>>>;
  let seen: Invalidation[];

  beforeEach(async () => {
    subscriber = new FakeSubscriber();
    publish = vi.fn(async () => 1);
    sut = new CacheInvalidation({ publish }, subscriber);
    seen = [];
    sut.onInvalidate((i) => seen.push(i));
    await sut.onModuleInit();
    seen.length = 0;
  });

  it('subscribes to the invalidation channel on start and is live afterwards', () => {
    expect(subscriber.subscribe).toHaveBeenCalledWith(CACHE_INVALIDATION_CHANNEL);
    expect(sut.live).toBe(true);
  });

  it('applies a published invalidation here at once, then publishes it for the other instances', async () => {
    await sut.publish('api-key', 'key_1');

    expect(seen).toEqual([{ kind: 'api-key', id: 'key_1' }]);
    expect(publish).toHaveBeenCalledWith(CACHE_INVALIDATION_CHANNEL, JSON.stringify({ kind: 'api-key', id: 'key_1' }));
  });

  it('hands messages from other instances to the handlers, ignoring other channels and garbage', () => {
    subscriber.deliver(JSON.stringify({ kind: 'bank', id: 'bank-a' }));
    subscriber.deliver(JSON.stringify({ kind: 'bank', id: 'bank-b' }), 'other-channel');
    subscriber.deliver('not json');
    subscriber.deliver(JSON.stringify({ kind: 'nonsense', id: 'x' }));

    expect(seen).toEqual([{ kind: 'bank', id: 'bank-a' }]);
  });

  it('clears everything and stops answering from caches when the subscriber drops, and clears again once resubscribed', async () => {
    const cache = sut.cache<string, number>({ max: 10, ttlMs: 30_000, invalidate: () => undefined });
    await cache.load('a', async () => 1);
    expect(cache.get('a')).toBe(1);

    subscriber.emit('close');
    expect(sut.live).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    const loader = vi.fn(async () => 2);
    await cache.load('a', loader);
    await cache.load('a', loader);
    expect(loader).toHaveBeenCalledTimes(2);

    subscriber.emit('ready');
    await flush();
    expect(sut.live).toBe(true);
    expect(seen.filter((i) => i.kind === 'all')).toHaveLength(2);
    expect(subscriber.subscribe).toHaveBeenCalledTimes(2);
  });

  it('routes one changed row to the cache’s own invalidate', async () => {
    const cache = sut.cache<string, number>({
      max: 10,
      ttlMs: 30_000,
      invalidate: ({ kind, id }, c) => {
        if (kind === 'enterprise') c.delete(id);
      },
    });
    await cache.load('ent_1', async () => 1);
    await cache.load('ent_2', async () => 2);

    subscriber.deliver(JSON.stringify({ kind: 'enterprise', id: 'ent_1' }));
    subscriber.deliver(JSON.stringify({ kind: 'bank', id: 'ent_2' }));

    expect(cache.get('ent_1')).toBeUndefined();
    expect(cache.get('ent_2')).toBe(2);
  });

  it('retries a failed publish and gives up without failing the committed write', async () => {
    vi.useFakeTimers();
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      publish.mockRejectedValue(new Error('redis down'));
      const done = sut.publish('contract', 'ctr_1');
      await vi.runAllTimersAsync();
      await expect(done).resolves.toBeUndefined();
      expect(publish).toHaveBeenCalledTimes(4);
      expect(seen).toEqual([{ kind: 'contract', id: 'ctr_1' }]);
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
      vi.useRealTimers();
    }
  });
});
