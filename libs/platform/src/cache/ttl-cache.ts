export interface TtlCacheOptions {
  /** Entries kept at most; the oldest goes first when a new one would exceed it. */
  readonly max: number;
  /** How long an entry is trusted after it was loaded (the safety net behind invalidation). */
  readonly ttlMs: number;
  /** While this answers true the cache is bypassed: every load asks its loader and nothing is kept. */
  readonly bypass?: () => boolean;
  readonly now?: () => number;
}

/**
 * A bounded in-memory cache with a TTL. `load` is single-flight: concurrent misses for one key share
 * one loader call. A loader's `undefined` (unknown key) is never stored, so guessing fills nothing.
 * A load that was under way when the cache was invalidated does not store its (possibly stale) result.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  private readonly loading = new Map<K, Promise<V | undefined>>();
  /** Bumped by every invalidation; a load stores its result only when no invalidation came meanwhile. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until: this.now() + this.options.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
    this.generation += 1;
  }

  /** Drops every entry whose value matches (e.g. all lookups of one revoked key id). */
  deleteWhere(matches: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value, key)) this.entries.delete(key);
    this.loading.clear();
    this.generation += 1;
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
    this.generation += 1;
  }

  /** The cached value, or the loader's answer (stored unless it is `undefined`). */
  async load(key: K, loader: () => Promise<V | undefined>): Promise<V | undefined> {
    if (this.options.bypass?.() === true) return loader();
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const pending = this.loading.get(key);
    if (pending !== undefined) return pending;
    const generation = this.generation;
    const promise = loader()
      .then((value) => {
        if (value !== undefined && generation === this.generation) this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }
}
