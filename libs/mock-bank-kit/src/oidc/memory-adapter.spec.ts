import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Adapter } from 'oidc-provider';
import { MemoryAdapterStore, type MemoryAdapterOptions } from './memory-adapter.js';

function clockAt(startMs: number): { now: () => number; advance: (ms: number) => void } {
  let current = startMs;
  return { now: () => current, advance: (ms) => (current += ms) };
}

const stores: MemoryAdapterStore[] = [];

function newStore(options: MemoryAdapterOptions = {}): MemoryAdapterStore {
  const store = new MemoryAdapterStore(options);
  stores.push(store);
  return store;
}

function adapters(store: MemoryAdapterStore, ...models: string[]): Adapter[] {
  return models.map((model) => store.factory(model));
}

afterEach(() => {
  for (const store of stores.splice(0)) store.stop();
  vi.useRealTimers();
});

describe(MemoryAdapterStore.name, () => {
  it('finds what was upserted, per model, and a later upsert replaces it', async () => {
    const [session, interaction] = adapters(newStore(), 'Session', 'Interaction');

    await session?.upsert('x', { uid: 'u1', accountId: 'alice' }, 60);
    await interaction?.upsert('x', { returnTo: '/auth/x' }, 60);
    await session?.upsert('x', { uid: 'u1', accountId: 'bob' }, 60);

    expect(await session?.find('x')).toEqual({ uid: 'u1', accountId: 'bob' });
    expect(await interaction?.find('x')).toEqual({ returnTo: '/auth/x' });
    expect(await session?.find('missing')).toBeUndefined();
  });

  it('copies payloads in and out, so only an upsert changes what is stored', async () => {
    const [session] = adapters(newStore(), 'Session');
    const payload = { uid: 'u1', accountId: 'alice' };

    await session?.upsert('s1', payload, 60);
    payload.accountId = 'mallory';
    const found = await session?.find('s1');
    if (found) found.accountId = 'eve';

    expect(await session?.find('s1')).toEqual({ uid: 'u1', accountId: 'alice' });
  });

  it('hides an entry once its expiresIn has passed, and keeps one saved without expiry', async () => {
    const clock = clockAt(1_700_000_000_000);
    const store = newStore({ now: clock.now });
    const [par, client] = adapters(store, 'PushedAuthorizationRequest', 'Client');

    await par?.upsert('p1', { request: 'jwt' }, 60);
    await client?.upsert('c1', { client_id: 'c1' });
    clock.advance(59_999);
    expect(await par?.find('p1')).toEqual({ request: 'jwt' });

    clock.advance(1);
    expect(await par?.find('p1')).toBeUndefined();
    clock.advance(365 * 86_400_000);
    expect(await client?.find('c1')).toEqual({ client_id: 'c1' });
    expect(store.size).toBe(1);
  });

  it('sweeps expired entries on its unref\'d timer, a bounded batch per run', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const store = newStore({ sweepIntervalMs: 60_000, sweepBatch: 10 });
    const [code, session] = adapters(store, 'AuthorizationCode', 'Session');
    for (let i = 0; i < 25; i++) await code?.upsert(`c${i}`, { grantId: 'g1' }, 30);
    await session?.upsert('s1', { uid: 'u1' }, 3_600);

    // Nothing is swept before a run is due; then each run removes at most 10 of the 25 expired codes.
    vi.advanceTimersByTime(59_999);
    const sizes = [store.size];
    for (let run = 0; run < 3; run++) {
      vi.advanceTimersByTime(run === 0 ? 1 : 60_000);
      sizes.push(store.size);
    }

    expect(sizes).toEqual([26, 16, 6, 1]);
    expect(await session?.find('s1')).toEqual({ uid: 'u1' });
    expect(store.sweep(100)).toBe(0);
  });

  it('consume stamps the entry with the epoch second it was used', async () => {
    const clock = clockAt(1_700_000_000_750);
    const [par] = adapters(newStore({ now: clock.now }), 'PushedAuthorizationRequest');

    await par?.upsert('p1', { request: 'jwt' }, 60);
    await par?.consume('p1');
    await par?.consume('missing');

    expect(await par?.find('p1')).toEqual({ request: 'jwt', consumed: 1_700_000_000 });
  });

  it('findByUid answers the live session with that uid, and forgets it once destroyed or replaced', async () => {
    const [session, other] = adapters(newStore(), 'Session', 'Interaction');

    await session?.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
    await session?.upsert('s2', { uid: 'u2', accountId: 'bob' }, 60);
    expect(await session?.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'alice' });
    expect(await other?.findByUid('u1')).toBeUndefined();

    await session?.upsert('s2', { uid: 'u3', accountId: 'bob' }, 60);
    expect(await session?.findByUid('u2')).toBeUndefined();
    expect(await session?.findByUid('u3')).toEqual({ uid: 'u3', accountId: 'bob' });

    await session?.destroy('s1');
    expect(await session?.findByUid('u1')).toBeUndefined();
  });

  it('findByUserCode answers the entry with that user code until it expires', async () => {
    const clock = clockAt(0);
    const [device] = adapters(newStore({ now: clock.now }), 'DeviceCode');

    await device?.upsert('d1', { userCode: 'ABCD-EFGH', clientId: 'c' }, 10);
    expect(await device?.findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH', clientId: 'c' });
    expect(await device?.findByUserCode('ZZZZ-ZZZZ')).toBeUndefined();

    clock.advance(10_000);
    expect(await device?.findByUserCode('ABCD-EFGH')).toBeUndefined();
  });

  it('revokeByGrantId removes every token of the grant across models, and nothing else', async () => {
    const store = newStore();
    const [code, access, refresh, interaction] = adapters(store, 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'Interaction');
    await code?.upsert('c1', { grantId: 'g1' }, 60);
    await access?.upsert('a1', { grantId: 'g1' }, 3_600);
    await access?.upsert('a2', { grantId: 'g2' }, 3_600);
    await refresh?.upsert('r1', { grantId: 'g1' }, 86_400);
    await interaction?.upsert('i1', { grantId: 'g1' }, 600);

    // oidc-provider calls it on one model's adapter per token model; the first call already does it all.
    await access?.revokeByGrantId('g1');

    expect(await code?.find('c1')).toBeUndefined();
    expect(await access?.find('a1')).toBeUndefined();
    expect(await refresh?.find('r1')).toBeUndefined();
    expect(await access?.find('a2')).toEqual({ grantId: 'g2' });
    expect(await interaction?.find('i1')).toEqual({ grantId: 'g1' });
    await refresh?.revokeByGrantId('g1');
    expect(store.size).toBe(2);
  });

  it('destroy removes one entry of one model', async () => {
    const store = newStore();
    const [grant, session] = adapters(store, 'Grant', 'Session');
    await grant?.upsert('g1', { accountId: 'alice' }, 60);
    await session?.upsert('g1', { uid: 'u1' }, 60);

    await grant?.destroy('g1');
    await grant?.destroy('missing');

    expect(await grant?.find('g1')).toBeUndefined();
    expect(await session?.find('g1')).toEqual({ uid: 'u1' });
    expect(store.size).toBe(1);
  });

  it('keeps every live entry however many there are (no capacity eviction)', async () => {
    const store = newStore();
    const [session, interaction, par] = adapters(store, 'Session', 'Interaction', 'PushedAuthorizationRequest');
    const flows = 2_000;
    for (let i = 0; i < flows; i++) {
      await par?.upsert(`p${i}`, { request: `r${i}` }, 60);
      await session?.upsert(`s${i}`, { uid: `u${i}` }, 3_600);
      await interaction?.upsert(`i${i}`, { returnTo: `/auth/${i}` }, 600);
    }

    expect(store.size).toBe(3 * flows);
    for (let i = 0; i < flows; i++) {
      expect(await par?.find(`p${i}`)).toEqual({ request: `r${i}` });
      expect(await session?.findByUid(`u${i}`)).toEqual({ uid: `u${i}` });
      expect(await interaction?.find(`i${i}`)).toEqual({ returnTo: `/auth/${i}` });
    }
  });

  it('gives each store its own entries, so two banks in one process share nothing', async () => {
    const [a] = adapters(newStore(), 'Session');
    const [b] = adapters(newStore(), 'Session');

    await a?.upsert('s1', { uid: 'u1' }, 60);

    expect(await b?.find('s1')).toBeUndefined();
    expect(await b?.findByUid('u1')).toBeUndefined();
  });
});
