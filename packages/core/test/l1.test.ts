import { describe, expect, it, vi } from 'vitest';
import {
  createCache,
  definePolicy,
  EVENT_DRIVEN,
  InvalidOptionError,
  InvalidTtlError,
  memoryStore,
  type Store,
} from '../src/index.js';
import { deferred, syncHub } from './support.js';

/** Two "processes": caches with their own L1 on one shared store, linked by a sync hub. */
async function twoProcesses(options: { l1Ttl?: string } = {}) {
  const store = memoryStore();
  const hub = syncHub();
  const l1 = { ttl: (options.l1Ttl ?? '10s') as '10s' };
  const a = createCache({ store, l1, sync: hub.create() });
  const b = createCache({ store, l1, sync: hub.create() });
  await a.ready();
  await b.ready();
  return { store, hub, a, b };
}

describe('L1', () => {
  it('serves warm keys from memory without asking the store', async () => {
    const store = memoryStore();
    const cache = createCache({ store, l1: true });
    const loader = vi.fn(async () => ({ hashrate: 110 }));
    const first = await cache.getOrSet('k', loader);
    const get = vi.spyOn(store, 'get');
    for (let i = 0; i < 100; i++) expect(await cache.getOrSet('k', loader)).toBe(first);
    expect(await cache.get('k')).toBe(first);
    expect(get).not.toHaveBeenCalled();
    expect(loader).toHaveBeenCalledOnce();
  });

  it('fills from a store hit, so the second read is local', async () => {
    const store = memoryStore();
    await createCache({ store }).set('k', 'from another process');
    const cache = createCache({ store, l1: true });
    const get = vi.spyOn(store, 'get');
    expect(await cache.get('k')).toBe('from another process');
    expect(await cache.get('k')).toBe('from another process');
    expect(get).toHaveBeenCalledOnce();
  });

  it('is bounded by maxEntries', async () => {
    const store = memoryStore();
    const cache = createCache({ store, l1: { maxEntries: 2 } });
    for (const key of ['a', 'b', 'c']) await cache.set(key, key);
    const get = vi.spyOn(store, 'get');
    expect(await cache.get('c')).toBe('c');
    expect(await cache.get('a')).toBe('a'); // evicted from L1, read from the store
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('refuses invalid options with typed errors', () => {
    expect(() => createCache({ l1: { maxEntries: 0 } })).toThrow(InvalidOptionError);
    expect(() => createCache({ l1: { ttl: 0 } })).toThrow(InvalidTtlError);
  });

  it('never keeps a copy longer than l1.ttl, even when an invalidation was lost silently', async () => {
    vi.useFakeTimers();
    try {
      const { hub, a, b } = await twoProcesses({ l1Ttl: '2s' });
      await a.set('k', 'v1', { ttl: '1m' });
      expect(await a.get('k')).toBe('v1');
      hub.dropping = true; // the message is lost and nobody notices
      await b.set('k', 'v2', { ttl: '1m' });
      expect(await a.get('k')).toBe('v1'); // stale, within the L1 bound
      vi.advanceTimersByTime(2000);
      expect(await a.get('k')).toBe('v2');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('L1 kept in sync across processes', () => {
  it.each([
    ['delete', (b: ReturnType<typeof createCache>) => b.delete('k')],
    ['set', (b: ReturnType<typeof createCache>) => b.set('k', 'new', { tags: ['t'] })],
    ['invalidateTags', (b: ReturnType<typeof createCache>) => b.invalidateTags(['t'])],
    [
      'deleteMatching',
      (b: ReturnType<typeof createCache>) => b.deleteMatching('*').then(() => undefined),
    ],
  ])('%s in one process drops the L1 copy in the other', async (_name, change) => {
    const { a, b } = await twoProcesses();
    const loads = vi.fn(async () => `v${loads.mock.calls.length}`);
    const first = await a.getOrSet('k', loads, { tags: ['t'] });
    expect(await a.getOrSet('k', loads, { tags: ['t'] })).toBe(first);
    await change(b);
    const after = await a.getOrSet('k', loads, { tags: ['t'] });
    expect(after).not.toBe(first);
  });

  it('a gap flushes L1, so a lost invalidation is not served', async () => {
    const { hub, a, b } = await twoProcesses();
    await a.set('k', 'v1');
    expect(await a.get('k')).toBe('v1');
    hub.dropping = true;
    await b.set('k', 'v2');
    hub.dropping = false;
    hub.gap();
    expect(await a.get('k')).toBe('v2');
  });

  it('a store read that raced a remote invalidation is not kept in L1', async () => {
    const store = memoryStore();
    const hub = syncHub();
    const gate = deferred<void>();
    let reading = false;
    // Hold A's store reads so that B's invalidation lands while A's read is in flight.
    const slow: Store = {
      ...store,
      get: async (key) => {
        const value = await store.get(key);
        reading = true;
        await gate.promise;
        return value;
      },
    };
    const a = createCache({ store: slow, l1: true, sync: hub.create() });
    const b = createCache({ store, l1: true, sync: hub.create() });
    await b.set('k', 'old');
    const pending = a.get('k');
    await vi.waitFor(() => expect(reading).toBe(true));
    await b.set('k', 'new');
    gate.resolve();
    expect(await pending).toBe('old'); // the read began before the write: fine to answer old
    const get = vi.spyOn(slow, 'get');
    expect(await a.get('k')).toBe('new'); // but it was not kept in L1
    expect(get).toHaveBeenCalledOnce();
  });

  it('domain events from the bus invalidate EVENT_DRIVEN entries in every process', async () => {
    const { hub, a, b } = await twoProcesses();
    const policy = definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] });
    let version = 1;
    const defA = a.define({ load: async () => version, policy });
    const defB = b.define({ load: async () => version, policy });
    await a.ready();
    await b.ready();
    expect(await defA.get('m-1')).toBe(1);
    expect(await defB.get('m-1')).toBe(1);
    version = 2;
    hub.event('miner.config.updated', { minerId: 'm-1' });
    await vi.waitFor(async () => {
      expect(await defA.get('m-1')).toBe(2);
      expect(await defB.get('m-1')).toBe(2);
    });
  });

  it('close() stops listening', async () => {
    const { hub, a, b } = await twoProcesses();
    await a.ready();
    expect(hub.size).toBeGreaterThanOrEqual(2);
    await a.close();
    await b.close();
    expect(hub.size).toBe(0);
  });
});

describe('remote invalidation events', () => {
  it('report what another process invalidated, and gaps', async () => {
    const { hub, a, b } = await twoProcesses();
    const seen: unknown[] = [];
    a.on('invalidate', (event) => {
      if (event.remote === true)
        seen.push({ keys: event.keys, tags: event.tags, flush: event.flush });
    });
    await b.delete('k');
    await b.invalidateTags(['t']);
    hub.gap();
    // Each change is announced twice (right behind the store command, then once confirmed).
    const distinct = seen.filter(
      (event, i) => JSON.stringify(event) !== JSON.stringify(seen[i - 1]),
    );
    expect(distinct).toEqual([
      { keys: [b.keys.entry('k')], tags: [], flush: undefined },
      { keys: undefined, tags: [b.keys.tag('t')], flush: undefined },
      { keys: undefined, tags: [], flush: true },
    ]);
  });
});

describe('hit events', () => {
  it('say which tier served the value', async () => {
    const store = memoryStore();
    await createCache({ store }).set('k', 'v');
    const cache = createCache({ store, l1: true });
    const tiers: string[] = [];
    cache.on('hit', (event) => tiers.push(event.tier));
    await cache.get('k');
    await cache.get('k');
    await cache.getOrSet('k', async () => 'x');
    expect(tiers).toEqual(['l2', 'l1', 'l1']);
  });
});

describe('L1 while the bus subscription is not up', () => {
  it('keeps nothing until it is, and retries a failed subscription', async () => {
    vi.useFakeTimers();
    try {
      const store = memoryStore();
      const hub = syncHub();
      const sync = hub.create();
      let failures = 1;
      const flaky = {
        ...sync,
        listen: (listener: Parameters<typeof sync.listen>[0], events: readonly string[]) =>
          failures-- > 0 ? Promise.reject(new Error('bus down')) : sync.listen(listener, events),
      };
      const cache = createCache({ store, l1: true, sync: flaky });
      const codes: string[] = [];
      cache.on('error', (event) => codes.push(event.operation));
      await cache.ready();
      expect(codes).toEqual(['sync']);
      await cache.set('k', 'v');
      const get = vi.spyOn(store, 'get');
      await cache.get('k');
      await cache.get('k');
      expect(get).toHaveBeenCalledTimes(2); // no L1 while nothing can tell it about invalidations
      await vi.advanceTimersByTimeAsync(1000); // the retry subscribes
      expect(hub.size).toBe(1);
      await cache.get('k');
      await cache.get('k');
      expect(get).toHaveBeenCalledTimes(3); // L1 serves again
      await cache.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('event subscriptions made on first use of an EVENT_DRIVEN policy', () => {
  it('do not stop the first load from being stored, and still drop L1 copies of that event', async () => {
    const store = memoryStore();
    const hub = syncHub();
    const cache = createCache({ store, l1: true, sync: hub.create() });
    await cache.ready();
    const policy = definePolicy(EVENT_DRIVEN, {
      ttl: '5m',
      invalidateOn: ['miner.config.updated'],
    });
    const options = { policy };
    let calls = 0;
    await cache.getOrSet('config', async () => ++calls, options); // subscribes to the event
    await cache.ready();
    expect(await cache.getOrSet('config', async () => ++calls, options)).toBe(1);
    expect(calls).toBe(1);
    hub.event('miner.config.updated');
    await vi.waitFor(async () => {
      expect(await cache.getOrSet('config', async () => ++calls, options)).toBe(2);
    });
    await cache.close();
  });

  it('drop the L1 copies made while the subscription was coming up', async () => {
    const store = memoryStore();
    const hub = syncHub();
    const sync = hub.create();
    const gate = deferred<void>();
    const slow = {
      ...sync,
      listen: async (listener: Parameters<typeof sync.listen>[0], events: readonly string[]) => {
        if (events.length > 0) await gate.promise;
        return sync.listen(listener, events);
      },
    };
    const cache = createCache({ store, l1: true, sync: slow });
    await cache.ready();
    const policy = definePolicy(EVENT_DRIVEN, {
      ttl: '5m',
      invalidateOn: ['miner.config.updated'],
    });
    const options = { policy };
    await cache.getOrSet('config', async () => 'v1', options); // stored, kept in L1
    await cache.set('other', 'o'); // untagged: stays in L1
    const get = vi.spyOn(store, 'get');
    gate.resolve(); // the event subscription comes up: copies tagged with its event are dropped
    await cache.ready();
    await cache.getOrSet('config', async () => 'v2', options);
    const reads = get.mock.calls.length;
    expect(reads).toBeGreaterThan(0); // the tagged copy was dropped: read again from the store
    await cache.get('other');
    expect(get.mock.calls.length).toBe(reads); // the untagged copy was kept
    await cache.close();
  });
});
