import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CacheEvent,
  type CircuitEvent,
  createCache,
  type HitEvent,
  type LoadEvent,
  LoaderTimeoutError,
  NO_CACHE,
} from '../src/index.js';
import { faultyStore } from './support.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function loads(cache: ReturnType<typeof createCache>): LoadEvent[] {
  const events: LoadEvent[] = [];
  cache.on('load', (event) => events.push(event));
  return events;
}

describe('load events', () => {
  it('reports a cache-aside load that succeeded, with its namespace, key and duration', async () => {
    vi.useFakeTimers();
    const cache = createCache({ namespace: 'fleet' });
    const miners = cache.namespace('miner');
    const events = loads(cache);
    const pending = miners.getOrSet('m-1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      return { hashrate: 110 };
    });
    await vi.advanceTimersByTimeAsync(250);
    expect(await pending).toEqual({ hashrate: 110 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'load',
      outcome: 'ok',
      namespace: 'fleet:miner',
      key: miners.keys.entry('m-1'),
    });
    expect(events[0]?.duration).toBeGreaterThanOrEqual(250);
    // A hit runs no loader.
    await miners.getOrSet('m-1', async () => ({ hashrate: 0 }));
    expect(events).toHaveLength(1);
  });

  it("reports a loader that threw as 'error' and still rejects the caller", async () => {
    const cache = createCache();
    const events = loads(cache);
    await expect(
      cache.getOrSet('k', async () => {
        throw new Error('source down');
      }),
    ).rejects.toThrow('source down');
    expect(events.map((event) => event.outcome)).toEqual(['error']);
  });

  it("reports a load past its hardTimeout as 'timeout' (fake timers)", async () => {
    vi.useFakeTimers();
    const cache = createCache();
    const events = loads(cache);
    const pending = cache.getOrSet('slow', () => new Promise<string>(() => {}), {
      hardTimeout: '2s',
    });
    const settled = pending.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(1_999);
    expect(events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled).toBeInstanceOf(LoaderTimeoutError);
    expect(events).toHaveLength(1);
    expect(events[0]?.outcome).toBe('timeout');
    expect(events[0]?.duration).toBeGreaterThanOrEqual(2_000);
  });

  it('reports loads of definitions: get, refresh and warm', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const events = loads(cache);
    const status = cache.define({ namespace: 'status', load: async (id: string) => `s-${id}` });
    await status.get('a');
    await status.get('a'); // a hit
    await status.refresh('a');
    const report = await status.warm(['b', 'c']);
    expect(report.succeeded).toBe(2);
    expect(events).toHaveLength(4);
    expect(events.every((event) => event.namespace === 'fleet:status')).toBe(true);
    expect(events.map((event) => event.key).sort()).toEqual(
      [status.key('a'), status.key('a'), status.key('b'), status.key('c')].sort(),
    );
  });

  it('times the write of a loaded value without the loader time', async () => {
    vi.useFakeTimers();
    const cache = createCache();
    const sets: number[] = [];
    cache.on('set', (event) => sets.push(event.duration));
    const pending = cache.getOrSet('k', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return 1;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await pending;
    expect(sets).toHaveLength(1);
    expect(sets[0]).toBeLessThan(5_000);
  });

  it("is part of '*' and is not emitted for NO_CACHE entries", async () => {
    const cache = createCache();
    const types: string[] = [];
    cache.on('*', (event) => types.push(event.type));
    await cache.getOrSet('n', async () => 1, { policy: NO_CACHE });
    expect(types).toEqual([]);
    await cache.getOrSet('k', async () => 1);
    expect(types).toEqual(['miss', 'load', 'set']);
  });
});

describe('L1 hit counters', () => {
  it('counts L1 hits per namespace path across every Cache object of that path', async () => {
    const cache = createCache({ namespace: 'fleet', l1: true });
    await cache.set('summary', 1);
    // namespace() makes a new Cache each call: they share one counter.
    await cache.namespace('miner').set('m-1', 'a');
    for (let i = 0; i < 3; i++) expect(await cache.namespace('miner').get('m-1')).toBe('a');
    for (let i = 0; i < 2; i++) {
      expect(await cache.namespace('miner').getOrSet('m-1', async () => 'loaded')).toBe('a');
    }
    expect(await cache.get('summary')).toBe(1);
    expect(await cache.get('absent')).toBeUndefined(); // a miss is not counted
    const counts = cache.l1HitCounts();
    expect(counts.get('fleet:miner')).toBe(5);
    expect(counts.get('fleet')).toBe(1);
    // Any namespace reports the counts of the whole cache, and the snapshot does not move.
    expect(cache.namespace('other').l1HitCounts().get('fleet:miner')).toBe(5);
    await cache.get('summary');
    expect(counts.get('fleet')).toBe(1);
    expect(cache.l1HitCounts().get('fleet')).toBe(2);
  });

  it('creates no counter for a namespace until its first L1 hit (namespace() per request)', async () => {
    const cache = createCache({ namespace: 'saas', l1: true });
    // One Cache object per request, as `cache.namespace(tenantId)` is meant to be used.
    for (let i = 0; i < 1_000; i++) {
      const tenant = cache.namespace(`tenant-${i}`);
      expect(await tenant.get('absent')).toBeUndefined(); // a miss: no L1 hit
    }
    expect(cache.l1HitCounts().size).toBe(0);
    await cache.namespace('tenant-7').set('k', 1);
    expect(await cache.namespace('tenant-7').get('k')).toBe(1);
    expect([...cache.l1HitCounts()]).toEqual([['saas:tenant-7', 1]]);
  });
  it('does not count L2 hits, and is empty without L1', async () => {
    const plain = createCache();
    await plain.set('k', 1);
    expect(await plain.get('k')).toBe(1);
    expect(await plain.getOrSet('k', async () => 2)).toBe(1);
    expect(plain.l1HitCounts().size).toBe(0);
  });
});

describe('l1Hits listener option', () => {
  it('keeps L1 hits from listeners that opt out, while default listeners still get them', async () => {
    const cache = createCache({ l1: true });
    const quiet: HitEvent[] = [];
    const loud: HitEvent[] = [];
    cache.on('hit', (event) => quiet.push(event), { l1Hits: false });
    const stopLoud = cache.on('hit', (event) => loud.push(event));
    await cache.set('k', 1);
    await cache.get('k'); // L1
    await cache.getOrSet('k', async () => 2); // L1
    expect(loud.map((event) => event.tier)).toEqual(['l1', 'l1']);
    expect(quiet).toEqual([]);
    // Once the last listener that wants them is gone, L1 hits reach nobody (and are still counted).
    stopLoud();
    await cache.get('k');
    expect(loud).toHaveLength(2);
    expect(quiet).toEqual([]);
    expect(cache.l1HitCounts().get('cache')).toBe(3);
  });

  it("applies to '*' listeners too, which still get L2 hits", async () => {
    const cache = createCache();
    const events: CacheEvent[] = [];
    cache.on('*', (event) => events.push(event), { l1Hits: false });
    await cache.set('k', 1);
    await cache.get('k');
    expect(events.filter((event) => event.type === 'hit')).toMatchObject([{ tier: 'l2' }]);
    const withL1 = createCache({ l1: true });
    const l1Events: CacheEvent[] = [];
    withL1.on('*', (event) => l1Events.push(event), { l1Hits: false });
    await withL1.set('k', 1);
    await withL1.get('k');
    expect(l1Events.filter((event) => event.type === 'hit')).toEqual([]);
  });

  it('reads no clock on an L1 hit when no listener wants L1 hits', async () => {
    const cache = createCache({ l1: true });
    cache.on('*', () => {}, { l1Hits: false });
    await cache.set('k', 1);
    const definition = cache.define({ load: async () => 2 });
    await definition.get('d');
    const now = vi.spyOn(performance, 'now');
    expect(await cache.get('k')).toBe(1);
    expect(await cache.getOrSet('k', async () => 3)).toBe(1);
    expect(await definition.get('d')).toBe(2);
    expect(now).not.toHaveBeenCalled();
    // A listener that wants them makes the same hits timed events.
    cache.on('hit', () => {});
    await cache.get('k');
    expect(now).toHaveBeenCalled();
  });
});

describe('circuit events', () => {
  it('reports open, half-open and closed transitions of the store circuit', async () => {
    let clock = 1_000;
    const store = faultyStore();
    const cache = createCache({
      store,
      namespace: 'fleet',
      circuitBreaker: { consecutiveFailures: 2, openFor: 100, now: () => clock },
    });
    const events: CircuitEvent[] = [];
    cache.on('circuit', (event) => events.push(event));
    store.mode = 'throw';
    await cache.get('a');
    await cache.get('b');
    expect(events.map((event) => [event.previous, event.state])).toEqual([['closed', 'open']]);
    expect(events[0]).toMatchObject({ type: 'circuit', namespace: 'fleet', duration: 0 });
    store.mode = 'ok';
    clock += 100;
    await cache.get('c'); // the probe
    expect(events.map((event) => event.state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('cache.circuitState() is undefined without a breaker: a local store, or circuitBreaker: false', () => {
    expect(createCache().circuitState()).toBeUndefined();
    expect(createCache({ store: faultyStore(), circuitBreaker: false }).circuitState()).toBe(
      undefined,
    );
  });

  it('cache.circuitState() follows the breaker of a remote store, from any namespace', async () => {
    let clock = 1_000;
    const store = faultyStore();
    const cache = createCache({
      store,
      circuitBreaker: { consecutiveFailures: 2, openFor: 100, now: () => clock },
    });
    const child = cache.namespace('child');
    expect(cache.circuitState()).toBe('closed');
    store.mode = 'throw';
    await cache.get('a');
    await cache.get('b');
    expect(cache.circuitState()).toBe('open');
    expect(child.circuitState()).toBe('open');
    clock += 100;
    expect(cache.circuitState()).toBe('half-open');
    store.mode = 'ok';
    await cache.get('c'); // the probe
    expect(child.circuitState()).toBe('closed');
  });
});
