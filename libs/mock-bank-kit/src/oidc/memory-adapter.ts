import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/**
 * The models whose entries are tokens of a grant. `revokeByGrantId` drops exactly these, whichever
 * model's adapter it is called on (oidc-provider calls it once per token model). An Interaction also
 * carries a grantId, but it is not a token of the grant and stays until it expires or is destroyed.
 */
const GRANT_TOKEN_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export interface MemoryAdapterOptions {
  /** Epoch milliseconds; injectable so tests can move time. */
  readonly now?: () => number;
  /** How often the sweeper looks for expired entries. */
  readonly sweepIntervalMs?: number;
  /** Entries the sweeper looks at per run, so one run never stalls the event loop however big the store is. */
  readonly sweepBatch?: number;
}

interface Entry {
  readonly model: string;
  readonly payload: AdapterPayload;
  /** Epoch milliseconds; `Infinity` for entries saved without an expiry. */
  readonly expiresAt: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 1_000;
const DEFAULT_SWEEP_BATCH = 2_000;

const entryKey = (model: string, id: string): string => `${model}\u0000${id}`;

/**
 * The mock bank's storage for oidc-provider: sessions, interactions, pushed authorization requests,
 * codes, tokens and grants of one provider instance, in memory.
 *
 * oidc-provider's own development adapter is an LRU of 1000 entries shared by every model, so a burst
 * of concurrent consent flows evicts live Sessions, Interactions and PARs (session_expired,
 * invalid_request_uri). Here nothing is evicted for capacity: an entry lives until its own expiry,
 * until it is destroyed, or until its grant is revoked. Expired entries are invisible at once and
 * are removed lazily on lookup and by an unref'd sweeper that walks the store a batch at a time, so
 * memory follows the live entries (plus those expired since the sweeper last passed them).
 *
 * Payloads are copied in and out, as a real store would serialize them: a caller mutating a found
 * payload changes nothing stored until it upserts it.
 *
 * One store per provider: two banks in one process must not see each other's sessions.
 */
export class MemoryAdapterStore {
  private readonly entries = new Map<string, Entry>();
  /** `model\0uid` → entry key (Session.findByUid). */
  private readonly byUid = new Map<string, string>();
  /** `model\0userCode` → entry key (DeviceCode.findByUserCode). */
  private readonly byUserCode = new Map<string, string>();
  /** grantId → entry keys of that grant's tokens, across models. */
  private readonly byGrant = new Map<string, Set<string>>();
  /** Where the sweeper stopped; a Map iterator stays valid while entries are added and deleted. */
  private cursor: MapIterator<[string, Entry]> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly sweepBatch: number;

  /** The `adapter` option of oidc-provider's configuration: one adapter per model, all on this store. */
  readonly factory: AdapterFactory = (model: string) => new MemoryAdapter(this, model);

  constructor(options: MemoryAdapterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweepBatch = options.sweepBatch ?? DEFAULT_SWEEP_BATCH;
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    // The sweeper is housekeeping: it must not keep a process (or a test worker) alive.
    this.timer.unref();
  }

  /** Entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  /** Stops the sweeper; the store keeps working, expired entries are then only dropped on lookup. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Removes expired entries among the next `limit` the cursor reaches; answers how many it removed. */
  sweep(limit: number = this.sweepBatch): number {
    const now = this.now();
    let removed = 0;
    for (let visited = 0; visited < limit; visited++) {
      this.cursor ??= this.entries.entries();
      const next = this.cursor.next();
      if (next.done === true) {
        // A full pass ends here; the next run starts a fresh one.
        this.cursor = undefined;
        break;
      }
      const [key, entry] = next.value;
      if (entry.expiresAt <= now) {
        this.remove(key, entry);
        removed++;
      }
    }
    return removed;
  }

  upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const key = entryKey(model, id);
    const previous = this.entries.get(key);
    if (previous !== undefined) this.unindex(key, previous);
    const expiresAt = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? this.now() + expiresIn * 1000 : Infinity;
    const entry: Entry = { model, payload: structuredClone(payload), expiresAt };
    this.entries.set(key, entry);
    this.index(key, entry);
  }

  find(model: string, id: string): AdapterPayload | undefined {
    const entry = this.live(entryKey(model, id));
    return entry === undefined ? undefined : structuredClone(entry.payload);
  }

  findByUid(model: string, uid: string): AdapterPayload | undefined {
    return this.findVia(this.byUid, model, uid);
  }

  findByUserCode(model: string, userCode: string): AdapterPayload | undefined {
    return this.findVia(this.byUserCode, model, userCode);
  }

  /** Marks the entry used (epoch seconds), which oidc-provider reads to refuse a second use. */
  consume(model: string, id: string): void {
    const entry = this.live(entryKey(model, id));
    if (entry !== undefined) entry.payload.consumed = Math.floor(this.now() / 1000);
  }

  destroy(model: string, id: string): void {
    const key = entryKey(model, id);
    const entry = this.entries.get(key);
    if (entry !== undefined) this.remove(key, entry);
  }

  revokeByGrantId(grantId: string): void {
    const keys = this.byGrant.get(grantId);
    if (keys === undefined) return;
    for (const key of [...keys]) {
      const entry = this.entries.get(key);
      if (entry !== undefined) this.remove(key, entry);
    }
    this.byGrant.delete(grantId);
  }

  /** The entry under `key` unless it has expired (an expired one is removed on the way). */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    return entry;
  }

  private findVia(index: ReadonlyMap<string, string>, model: string, value: string): AdapterPayload | undefined {
    const key = index.get(entryKey(model, value));
    const entry = key === undefined ? undefined : this.live(key);
    return entry === undefined ? undefined : structuredClone(entry.payload);
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.unindex(key, entry);
  }

  private index(key: string, entry: Entry): void {
    const { uid, userCode, grantId } = entry.payload;
    if (typeof uid === 'string') this.byUid.set(entryKey(entry.model, uid), key);
    if (typeof userCode === 'string') this.byUserCode.set(entryKey(entry.model, userCode), key);
    if (typeof grantId === 'string' && GRANT_TOKEN_MODELS.has(entry.model)) {
      let keys = this.byGrant.get(grantId);
      if (keys === undefined) this.byGrant.set(grantId, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Drops the entry's index references, leaving those a newer entry has taken over. */
  private unindex(key: string, entry: Entry): void {
    const { uid, userCode, grantId } = entry.payload;
    if (typeof uid === 'string') deleteIfPointsTo(this.byUid, entryKey(entry.model, uid), key);
    if (typeof userCode === 'string') deleteIfPointsTo(this.byUserCode, entryKey(entry.model, userCode), key);
    if (typeof grantId === 'string') {
      const keys = this.byGrant.get(grantId);
      if (keys !== undefined && keys.delete(key) && keys.size === 0) this.byGrant.delete(grantId);
    }
  }
}

function deleteIfPointsTo(index: Map<string, string>, indexKey: string, key: string): void {
  if (index.get(indexKey) === key) index.delete(indexKey);
}

/** oidc-provider's Adapter for one model, on a store shared by the provider's models. */
class MemoryAdapter implements Adapter {
  constructor(
    private readonly store: MemoryAdapterStore,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.store.upsert(this.model, id, payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.find(this.model, id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.store.findByUserCode(this.model, userCode);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.store.findByUid(this.model, uid);
  }

  async consume(id: string): Promise<void> {
    this.store.consume(this.model, id);
  }

  async destroy(id: string): Promise<void> {
    this.store.destroy(this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeByGrantId(grantId);
  }
}
