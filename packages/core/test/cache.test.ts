import { describe, expect, it, vi } from 'vitest';
import {
  type CacheEvent,
  ClosedError,
  createCache,
  EPHEMERAL,
  InvalidKeyError,
  InvalidTtlError,
  memoryStore,
  NO_CACHE,
  SerializationError,
  StoreError,
  StoreTimeoutError,
} from '../src/index.js';
import { deferred, faultyStore } from './support.js';

function recordEvents(cache: ReturnType<typeof createCache>): CacheEvent[] {
  const events: CacheEvent[] = [];
  cache.on('*', (event) => events.push(event));
  return events;
}

describe('cache-aside', () => {
  it('misses, loads, then hits', async () => {
    const cache = createCache();
    const loader = vi.fn(async () => ({ hashrate: 110 }));
    expect(await cache.getOrSet('m-1', loader)).toEqual({ hashrate: 110 });
    expect(await cache.getOrSet('m-1', loader)).toEqual({ hashrate: 110 });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await cache.get('m-1')).toEqual({ hashrate: 110 });
    expect(await cache.get('other')).toBeUndefined();
  });

  it('runs the loader once for 10,000 concurrent cold calls, and every caller gets the value', async () => {
    const cache = createCache();
    const gate = deferred<string>();
    const loader = vi.fn(() => gate.promise);
    const calls = Array.from({ length: 10_000 }, () => cache.getOrSet('hot', loader));
    gate.resolve('value');
    const results = await Promise.all(calls);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(results.every((value) => value === 'value')).toBe(true);
  });

  it('passes a loader error to every waiter and caches nothing', async () => {
    const cache = createCache();
    const loader = vi.fn(async () => {
      throw new Error('source down');
    });
    const results = await Promise.allSettled([
      cache.getOrSet('k', loader),
      cache.getOrSet('k', loader),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await cache.getOrSet('k', async () => 'ok')).toBe('ok');
  });

  it('never caches undefined and never caches with NO_CACHE', async () => {
    const cache = createCache();
    const undef = vi.fn(async () => undefined);
    await cache.getOrSet('u', undef);
    await cache.getOrSet('u', undef);
    expect(undef).toHaveBeenCalledTimes(2);
    const live = vi.fn(async () => 1);
    await cache.getOrSet('n', live, { policy: NO_CACHE });
    await cache.getOrSet('n', live, { policy: NO_CACHE });
    expect(live).toHaveBeenCalledTimes(2);
    await cache.set('n', 5, { policy: NO_CACHE });
    expect(await cache.get('n')).toBeUndefined();
  });

  it('honours the policy TTL exactly (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache();
      await cache.set('s', 'fresh', { policy: EPHEMERAL });
      vi.advanceTimersByTime(EPHEMERAL.ttl - 1);
      expect(await cache.get('s')).toBe('fresh');
      vi.advanceTimersByTime(1);
      expect(await cache.get('s')).toBeUndefined();
      await cache.set('t', 'x', { ttl: '2s' });
      vi.advanceTimersByTime(2000);
      expect(await cache.get('t')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses invalid TTLs, keys and tags before writing anything', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    const set = vi.spyOn(store, 'set');
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '0s', '2d']) {
      await expect(cache.set('k', 1, { ttl: ttl as never })).rejects.toBeInstanceOf(
        InvalidTtlError,
      );
    }
    await expect(cache.set('', 1)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(cache.set([], 1)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(cache.set('k', 1, { tags: [''] })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(cache.getOrSet('k', async () => 1, { ttl: 0 })).rejects.toMatchObject({
      code: 'E_INVALID_TTL',
    });
    expect(set).not.toHaveBeenCalled();
  });

  it('refuses values the serializer cannot store, writing nothing', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const set = vi.spyOn(store, 'set');
    const bump = vi.spyOn(store, 'bumpGenerations');
    for (const bad of [10n, { big: 1n }, cyclic]) {
      const error = await cache.set('k', bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).code).toBe('E_SERIALIZE');
      expect((error as SerializationError).cause).toBeInstanceOf(TypeError);
    }
    await expect(cache.getOrSet('k2', async () => 5n)).rejects.toBeInstanceOf(SerializationError);
    expect(set).not.toHaveBeenCalled();
    expect(bump).not.toHaveBeenCalled();
    expect(await store.get(cache.keys.entry('k2'))).toBeUndefined();
  });

  it('treats a corrupt stored value as a miss: reported, deleted, refetched', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    const events = recordEvents(cache);
    for (const garbage of ['not an entry', '{"c":1}\n{broken', 'null\n1', '{"c":"x","e":1}\n1']) {
      await store.set(cache.keys.entry('k'), garbage, 60_000);
      expect(await cache.getOrSet('k', async () => 'fresh')).toBe('fresh');
      expect(await cache.get('k')).toBe('fresh');
      await cache.delete('k');
    }
    const corrupt = events.filter((e) => e.type === 'error' && e.error.code === 'E_CORRUPT_ENTRY');
    expect(corrupt).toHaveLength(4);
  });

  it('keeps namespaces apart and versions invalidate everything', async () => {
    const store = memoryStore();
    const cache = createCache({ store, namespace: 'fleet' });
    const miners = cache.namespace('miner');
    await miners.set('1', 'miner one');
    await cache.set('1', 'root one');
    expect(await miners.get('1')).toBe('miner one');
    expect(await cache.get('1')).toBe('root one');
    expect(await miners.deleteMatching('*')).toBe(1);
    expect(await cache.get('1')).toBe('root one');
    const v2 = createCache({ store, namespace: 'fleet', version: 'v2' });
    expect(await v2.get('1')).toBeUndefined();
  });

  it('deleteMatching escapes literals so ids with glob characters cannot widen a pattern', async () => {
    const cache = createCache();
    for (const id of ['[ab]', 'a', 'b', 'x?']) await cache.set(['miner', id], id);
    // Unescaped, '[ab]' would be a character class matching 'a' and 'b' too.
    expect(await cache.deleteMatching('miner:[ab]')).toBe(1);
    expect(await cache.get(['miner', 'a'])).toBe('a');
    expect(await cache.get(['miner', 'b'])).toBe('b');
    expect(await cache.get(['miner', '[ab]'])).toBeUndefined();
    // '?' in a pattern is a wildcard; in an id it is a literal that only a wildcard can match.
    expect(await cache.deleteMatching('miner:x?')).toBe(0);
    expect(await cache.deleteMatching('miner:x*')).toBe(1);
  });
});

describe('tags', () => {
  it('cascade: invalidating a tag makes every carrier a miss, in every namespace', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const miners = cache.namespace('miner');
    await miners.set('1', 'status 1', { tags: ['miner:1', 'fleet'] });
    await miners.set('2', 'status 2', { tags: ['miner:2', 'fleet'] });
    await cache.set('summary', 'summary', { tags: ['fleet'] });
    await cache.invalidateTags(['miner:1']);
    expect(await miners.get('1')).toBeUndefined();
    expect(await miners.get('2')).toBe('status 2');
    await cache.invalidateTags(['fleet']);
    expect(await miners.get('2')).toBeUndefined();
    expect(await cache.get('summary')).toBeUndefined();
    await cache.set('summary', 'new summary', { tags: ['fleet'] });
    expect(await cache.get('summary')).toBe('new summary');
  });
});

describe('no stale write after invalidation', () => {
  type AnyCache = ReturnType<typeof createCache>;

  /** Starts a tagged load of 'k' on `cache` and waits until its loader runs; `finish` ends it. */
  async function blockedLoad(cache: AnyCache): Promise<(value: string) => Promise<string>> {
    const gate = deferred<string>();
    let started = false;
    const pending = cache.getOrSet(
      'k',
      () => {
        started = true;
        return gate.promise;
      },
      { tags: ['t'] },
    );
    await vi.waitFor(() => expect(started).toBe(true));
    return (value) => {
      gate.resolve(value);
      return pending;
    };
  }

  const changes: Array<[string, (cache: AnyCache) => Promise<unknown>]> = [
    ['delete', (cache) => cache.delete('k')],
    ['invalidateTags', (cache) => cache.invalidateTags(['t'])],
    ['deleteMatching', (cache) => cache.deleteMatching('*')],
    ['set', (cache) => cache.set('k', 'written', { tags: ['t'] })],
  ];

  it.each(changes)(
    'a load that started before %s does not store its result',
    async (_name, change) => {
      const cache = createCache();
      const finish = await blockedLoad(cache);
      await change(cache);
      expect(await finish('stale')).toBe('stale');
      const after = await cache.getOrSet('k', async () => 'fresh', { tags: ['t'] });
      expect(['fresh', 'written']).toContain(after);
    },
  );

  // Not deleteMatching: it removes what exists, and a load running in another process may still
  // store afterwards (documented; use tags or delete when that matters).
  it.each(changes.filter(([name]) => name !== 'deleteMatching'))(
    'the store guard alone refuses a stale write after %s in another process',
    async (_name, change) => {
      const store = memoryStore();
      const a = createCache({ store });
      const b = createCache({ store });
      const finish = await blockedLoad(a);
      await change(b);
      await finish('stale');
      const raw = await store.get(a.keys.entry('k'));
      expect(raw === undefined || raw.endsWith('"written"')).toBe(true);
    },
  );

  it('callers arriving after an invalidation do not join the load that began before it', async () => {
    const cache = createCache();
    const first = deferred<string>();
    const pending = cache.getOrSet('k', () => first.promise);
    await Promise.resolve();
    await cache.delete('k');
    const second = await cache.getOrSet('k', async () => 'new');
    first.resolve('old');
    expect(await pending).toBe('old');
    expect(second).toBe('new');
    expect(await cache.get('k')).toBe('new');
  });
});

describe('fail-open', () => {
  it('reads fall back to the loader and report; writes report and reject', async () => {
    const store = faultyStore();
    // Without the breaker, every call reaches the failing store (the breaker is tested below).
    const cache = createCache({ store, circuitBreaker: false });
    const events = recordEvents(cache);
    store.mode = 'throw';
    expect(await cache.getOrSet('k', async () => 'from source')).toBe('from source');
    expect(await cache.get('k')).toBeUndefined();
    // Writes and invalidations reject: the caller must know they did not happen.
    await expect(cache.set('k', 1)).rejects.toBeInstanceOf(StoreError);
    await expect(cache.delete('k')).rejects.toBeInstanceOf(StoreError);
    await expect(cache.invalidateTags(['t'])).rejects.toBeInstanceOf(StoreError);
    await expect(cache.deleteMatching('*')).rejects.toBeInstanceOf(StoreError);
    const errors = events.filter((e) => e.type === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(errors.every((e) => e.type === 'error' && e.error instanceof StoreError)).toBe(true);
    expect(errors[0]?.type === 'error' && errors[0].error.cause).toBeInstanceOf(Error);
  });

  it('bounds every store call by the timeout when the store hangs', async () => {
    const store = faultyStore();
    const cache = createCache({ store, timeout: 50 });
    const events = recordEvents(cache);
    store.mode = 'hang';
    const started = performance.now();
    expect(await cache.getOrSet('k', async () => 'from source')).toBe('from source');
    const elapsed = performance.now() - started;
    // One timed-out read, then straight to the source: the store is not asked again on this call.
    expect(elapsed).toBeLessThan(50 + 50);
    expect(store.calls).toBe(1);
    expect(events.some((e) => e.type === 'error' && e.error instanceof StoreTimeoutError)).toBe(
      true,
    );
    store.mode = 'ok';
    expect(await cache.getOrSet('k', async () => 'again')).toBe('again');
    expect(await cache.get('k')).toBe('again');
  });

  it('throws typed store errors only when asked to', async () => {
    const store = faultyStore();
    const cache = createCache({ store, throwOnStoreError: true });
    store.mode = 'throw';
    await expect(cache.get('k')).rejects.toMatchObject({ code: 'E_STORE' });
    await expect(cache.getOrSet('k', async () => 1)).rejects.toBeInstanceOf(StoreError);
  });

  it('isolates a throwing event listener', async () => {
    const cache = createCache();
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    cache.on('miss', () => {
      throw new Error('listener bug');
    });
    expect(await cache.getOrSet('k', async () => 1)).toBe(1);
    expect(warning).toHaveBeenCalledOnce();
    warning.mockRestore();
  });
});

describe('circuit breaker', () => {
  it('stops calling a failing store, then probes it and closes when it answers', async () => {
    vi.useFakeTimers();
    try {
      const store = faultyStore();
      const cache = createCache({ store, circuitBreaker: { minimumCalls: 4, openFor: '1s' } });
      const codes: string[] = [];
      cache.on('error', (event) => codes.push(event.error.code));
      store.mode = 'throw';
      for (let i = 0; i < 4; i++)
        expect(await cache.getOrSet(`k${i}`, async () => 'source')).toBe('source');
      const callsWhenOpened = store.calls;
      for (let i = 0; i < 100; i++)
        expect(await cache.getOrSet(`k${i}`, async () => 'source')).toBe('source');
      expect(store.calls).toBe(callsWhenOpened); // open: a dead store costs nothing per call
      expect(codes).toContain('E_CIRCUIT_OPEN');
      store.mode = 'ok';
      vi.advanceTimersByTime(1000);
      expect(await cache.getOrSet('probe', async () => 'fresh')).toBe('fresh'); // the probe
      expect(store.calls).toBeGreaterThan(callsWhenOpened);
      expect(await cache.get('probe')).toBe('fresh'); // closed again: the store is used
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('events and lifecycle', () => {
  it('emits hit, miss, set, delete and invalidate with namespace and duration', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const events = recordEvents(cache);
    await cache.getOrSet('k', async () => 1, { tags: ['t'] });
    await cache.getOrSet('k', async () => 1, { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await cache.delete('k');
    expect(events.map((e) => e.type)).toEqual([
      'miss',
      'load',
      'set',
      'hit',
      'invalidate',
      'delete',
    ]);
    for (const event of events) {
      expect(event.namespace).toBe('fleet');
      expect(event.duration).toBeGreaterThanOrEqual(0);
    }
  });

  it('closes only a store it created', async () => {
    const store = memoryStore();
    const close = vi.spyOn(store, 'close');
    const cache = createCache({ store });
    await cache.close();
    expect(close).not.toHaveBeenCalled();
    await expect(cache.get('k')).rejects.toBeInstanceOf(ClosedError);
    await expect(cache.getOrSet('k', async () => 1)).rejects.toMatchObject({ code: 'E_CLOSED' });
  });
});
