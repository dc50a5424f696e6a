import { describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache.js';

function newClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe(TtlCache.name, () => {
  it('answers a stored value until its TTL has passed, then forgets it', () => {
    const clock = newClock();
    const sut = new TtlCache<string, number>({ max: 10, ttlMs: 100, now: clock.now });
    sut.set('a', 1);

    clock.advance(99);
    expect(sut.get('a')).toBe(1);
    clock.advance(1);
    expect(sut.get('a')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('keeps at most `max` entries, dropping the oldest first', () => {
    const sut = new TtlCache<string, number>({ max: 2, ttlMs: 1_000 });
    sut.set('a', 1);
    sut.set('b', 2);
    sut.set('c', 3);

    expect(sut.size).toBe(2);
    expect(sut.get('a')).toBeUndefined();
    expect([sut.get('b'), sut.get('c')]).toEqual([2, 3]);
  });

  it('delete, deleteWhere and clear remove entries', () => {
    const sut = new TtlCache<string, { owner: string }>({ max: 10, ttlMs: 1_000 });
    sut.set('a', { owner: 'x' });
    sut.set('b', { owner: 'y' });
    sut.set('c', { owner: 'x' });

    sut.delete('b');
    expect(sut.get('b')).toBeUndefined();
    sut.deleteWhere((v) => v.owner === 'x');
    expect(sut.size).toBe(0);
    sut.set('d', { owner: 'z' });
    sut.clear();
    expect(sut.get('d')).toBeUndefined();
  });

  it('makes one loader call for concurrent misses of one key, and answers the rest from memory', async () => {
    const sut = new TtlCache<string, number>({ max: 10, ttlMs: 1_000 });
    const gate = deferred<number>();
    const loader = vi.fn(() => gate.promise);

    const calls = [sut.load('a', loader), sut.load('a', loader), sut.load('a', loader)];
    gate.resolve(7);

    expect(await Promise.all(calls)).toEqual([7, 7, 7]);
    expect(await sut.load('a', loader)).toBe(7);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('never stores an unknown (undefined) result, so guessed keys fill nothing', async () => {
    const sut = new TtlCache<string, number>({ max: 10, ttlMs: 1_000 });
    const loader = vi.fn(async () => undefined);

    for (let i = 0; i < 100; i += 1) await sut.load(`guess-${i}`, loader);
    await sut.load('guess-0', loader);

    expect(sut.size).toBe(0);
    expect(loader).toHaveBeenCalledTimes(101);
  });

  it('does not store a load that was under way when the cache was invalidated', async () => {
    const sut = new TtlCache<string, number>({ max: 10, ttlMs: 1_000 });
    const gate = deferred<number>();
    const stale = sut.load('a', () => gate.promise);

    sut.delete('a');
    gate.resolve(1);
    await stale;

    expect(sut.get('a')).toBeUndefined();
    expect(await sut.load('a', async () => 2)).toBe(2);
  });

  it('passes every load to its loader and keeps nothing while bypassed', async () => {
    let bypass = true;
    const sut = new TtlCache<string, number>({ max: 10, ttlMs: 1_000, bypass: () => bypass });
    const loader = vi.fn(async () => 5);

    await sut.load('a', loader);
    await sut.load('a', loader);
    expect(loader).toHaveBeenCalledTimes(2);
    expect(sut.size).toBe(0);

    bypass = false;
    await sut.load('a', loader);
    await sut.load('a', loader);
    expect(loader).toHaveBeenCalledTimes(3);
  });

  it('lets a failed load fail every waiter and stores nothing', async () => {
    const sut = new TtlCache<string, number>({ max: 10, ttlMs: 1_000 });
    const loader = vi.fn(async () => Promise.reject(new Error('db down')));

    await expect(Promise.all([sut.load('a', loader), sut.load('a', loader)])).rejects.toThrow('db down');
    expect(loader).toHaveBeenCalledTimes(1);
    await expect(sut.load('a', async () => 3)).resolves.toBe(3);
  });
});
