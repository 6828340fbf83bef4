import { describe, expect, it, vi } from 'vitest';
import { createCache, InvalidTtlError, LoaderTimeoutError, memoryStore } from '../src/index.js';
import { deferred, faultyStore } from './support.js';

describe('grace: stale-if-error and stale-while-revalidate', () => {
  it('serves the expired value when the loader fails within the grace period', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache({ grace: '1m' });
      const stale: string[] = [];
      cache.on('stale', (event) => stale.push(event.key));
      await cache.getOrSet('k', async () => 'v1', { ttl: '1s' });
      vi.advanceTimersByTime(1000);
      const failing = vi.fn(async () => {
        throw new Error('source down');
      });
      expect(await cache.getOrSet('k', failing, { ttl: '1s' })).toBe('v1');
      expect(failing).toHaveBeenCalledOnce();
      expect(stale).toHaveLength(1);
      vi.advanceTimersByTime(60_000); // past the grace period: nothing left to fall back on
      await expect(cache.getOrSet('k', failing, { ttl: '1s' })).rejects.toThrow('source down');
    } finally {
      vi.useRealTimers();
    }
  });

  it('is a miss for plain reads once expired', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache({ grace: '1m' });
      await cache.set('k', 'v1', { ttl: '1s' });
      vi.advanceTimersByTime(1000);
      expect(await cache.get('k')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('softTimeout 0 serves stale at once and refreshes once in the background', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache({ grace: '1m', softTimeout: 0 });
      await cache.set('k', 'v1', { ttl: '1s' });
      vi.advanceTimersByTime(1000);
      const gate = deferred<string>();
      const refresh = vi.fn(() => gate.promise);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => cache.getOrSet('k', refresh, { ttl: '1s' })),
      );
      expect(answers.every((answer) => answer === 'v1')).toBe(true);
      // Callers arriving while the refresh runs join it instead of starting another one.
      expect(await cache.getOrSet('k', refresh, { ttl: '1s' })).toBe('v1');
      expect(refresh).toHaveBeenCalledOnce();
      gate.resolve('v2');
      await vi.waitFor(async () => expect(await cache.get('k')).toBe('v2'));
      expect(await cache.getOrSet('k', refresh, { ttl: '1s' })).toBe('v2');
      expect(refresh).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a soft timeout waits that long for a fresh value before serving stale', async () => {
    const cache = createCache({ grace: '1m', softTimeout: 30 });
    await cache.set('k', 'v1', { ttl: 5 });
    await vi.waitFor(async () => expect(await cache.get('k')).toBeUndefined());
    const slow = deferred<string>();
    const started = performance.now();
    expect(await cache.getOrSet('k', () => slow.promise, { ttl: '1m' })).toBe('v1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(await cache.getOrSet('k', async () => 'fast', { ttl: '1m' })).toBe('v1');
    slow.resolve('v2');
    await vi.waitFor(async () => expect(await cache.get('k')).toBe('v2'));
    expect(
      await cache.getOrSet('k', async () => 'quick', { softTimeout: 30, grace: '1m', ttl: 5 }),
    ).toBe('v2');
  });

  it('falls back to a stale L1 copy when the store fails', async () => {
    vi.useFakeTimers();
    try {
      const store = faultyStore();
      const cache = createCache({ store, l1: true, grace: '5s' });
      await cache.getOrSet('k', async () => 'v1', { ttl: '1s' });
      vi.advanceTimersByTime(1000);
      store.mode = 'throw';
      const value = await cache.getOrSet(
        'k',
        async () => {
          throw new Error('source down too');
        },
        { ttl: '1s' },
      );
      expect(value).toBe('v1');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a grace that takes an entry past maxTtl', async () => {
    const cache = createCache({ maxTtl: '1h' });
    await expect(cache.set('k', 1, { ttl: '30m', grace: '31m' })).rejects.toBeInstanceOf(
      InvalidTtlError,
    );
    expect(() => createCache({ grace: -1 as never })).toThrow(InvalidTtlError);
  });
});

describe('hard timeout', () => {
  it('aborts a hanging loader through its signal and rejects every waiter with E_LOADER_TIMEOUT', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache({ hardTimeout: '2s' });
      let aborted: unknown;
      const hanging = vi.fn(
        ({ signal }: { signal: AbortSignal }) =>
          new Promise<string>(() => {
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
            });
          }),
      );
      const waiters = Promise.allSettled([
        cache.getOrSet('k', hanging),
        cache.getOrSet('k', hanging),
      ]);
      await vi.advanceTimersByTimeAsync(2000);
      const results = await waiters;
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(LoaderTimeoutError);
      expect(aborted).toBeInstanceOf(LoaderTimeoutError);
      expect(hanging).toHaveBeenCalledOnce();
      // The next caller retries.
      expect(await cache.getOrSet('k', async () => 'ok')).toBe('ok');
    } finally {
      vi.useRealTimers();
    }
  });

  it('serves the stale value when there is one', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache({ hardTimeout: '2s', grace: '1m' });
      await cache.set('k', 'old', { ttl: '1s' });
      vi.advanceTimersByTime(1000);
      const pending = cache.getOrSet('k', () => new Promise<string>(() => undefined), {
        ttl: '1s',
      });
      await vi.advanceTimersByTimeAsync(2000);
      expect(await pending).toBe('old');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('distributed single-flight (lock)', () => {
  it('processes missing one key run one loader; the others get its value', async () => {
    const store = memoryStore();
    const caches = Array.from({ length: 4 }, () => createCache({ store, lock: true }));
    const gate = deferred<string>();
    const loader = vi.fn(() => gate.promise);
    const calls = caches.flatMap((cache) =>
      Array.from({ length: 250 }, () => cache.getOrSet('hot', loader)),
    );
    await vi.waitFor(() => expect(loader).toHaveBeenCalled());
    gate.resolve('value');
    const values = await Promise.all(calls);
    expect(loader).toHaveBeenCalledOnce();
    expect(values.every((value) => value === 'value')).toBe(true);
  });

  it('another process takes over once the lease of a dead holder lapses', async () => {
    const store = memoryStore();
    const holder = createCache({ store, lock: true, lockLease: 200 });
    const waiter = createCache({ store, lock: true, lockLease: 200 });
    let holderStarted = false;
    void holder.getOrSet('k', () => {
      holderStarted = true;
      return new Promise<string>(() => undefined); // dies mid-load: never answers, never releases
    });
    await vi.waitFor(() => expect(holderStarted).toBe(true));
    const started = performance.now();
    expect(await waiter.getOrSet('k', async () => 'taken over')).toBe('taken over');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(200 + 200);
  });

  it('releases the lock when the loader fails, so the next caller retries at once', async () => {
    const store = memoryStore();
    const a = createCache({ store, lock: true, lockLease: '1m' });
    const b = createCache({ store, lock: true, lockLease: '1m' });
    await expect(a.getOrSet('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    const started = performance.now();
    expect(await b.getOrSet('k', async () => 'ok')).toBe('ok');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
