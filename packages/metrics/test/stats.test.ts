import { createCache, memoryStore } from '@cachekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CacheMetrics, cacheMetrics } from '../src/index.js';
import { switchableStore } from './helpers.js';

const open: CacheMetrics[] = [];
function track(metrics: CacheMetrics): CacheMetrics {
  open.push(metrics);
  return metrics;
}
afterEach(() => {
  for (const metrics of open.splice(0)) metrics.close();
  vi.useRealTimers();
});

describe('stats()', () => {
  it('counts L1 hits, misses, sets and loads per namespace, with the hit ratio', async () => {
    const cache = createCache({ namespace: 'fleet', l1: true });
    const metrics = track(cacheMetrics(cache));
    expect(metrics.stats().totals.hitRatio).toBeNull();
    const load = async () => ({ hashrate: 110 });
    await cache.namespace('miner').getOrSet('m-1', load); // miss, load, set
    await cache.namespace('miner').getOrSet('m-1', load); // L1 hit
    await cache.namespace('miner').get('m-1'); // L1 hit
    await cache.getOrSet('summary', async () => 1); // miss in 'fleet'
    expect(await cache.get('absent')).toBeUndefined(); // miss in 'fleet'
    const stats = metrics.stats();
    expect(stats.namespaces['fleet:miner']).toMatchObject({
      hits: 2,
      l1Hits: 2,
      l2Hits: 0,
      misses: 1,
      sets: 1,
      loads: 1,
      loadsByOutcome: { ok: 1, error: 0, timeout: 0 },
      hitRatio: 2 / 3,
      errors: 0,
    });
    expect(stats.namespaces.fleet).toMatchObject({ hits: 0, misses: 2, sets: 1, hitRatio: 0 });
    expect(stats.totals).toMatchObject({ hits: 2, misses: 3, sets: 2, loads: 2, hitRatio: 0.4 });
    expect(stats.totals.latency.count).toBe(3); // store reads: the three misses
    expect(stats.bus).toBeNull();
    expect(stats.circuit).toEqual({ state: 'closed', opens: 0 });
    // Plain JSON: what a dashboard polls.
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('counts L2 hits and times store reads', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    const metrics = track(cacheMetrics(cache));
    await cache.set('k', 'v');
    for (let i = 0; i < 9; i++) expect(await cache.get('k')).toBe('v');
    await cache.get('absent');
    const { totals } = metrics.stats();
    expect(totals).toMatchObject({ l2Hits: 9, l1Hits: 0, misses: 1, hitRatio: 0.9, sets: 1 });
    expect(totals.latency.count).toBe(10);
    const { p50, p99, max, mean } = totals.latency;
    expect(p50).not.toBeNull();
    expect(p50 as number).toBeLessThanOrEqual(p99 as number);
    expect(p99 as number).toBeLessThanOrEqual(max as number);
    expect(mean as number).toBeLessThanOrEqual(max as number);
  });

  it('counts from the moment metrics start: earlier L1 hits and events are not included', async () => {
    const cache = createCache({ l1: true });
    await cache.set('k', 1);
    for (let i = 0; i < 5; i++) await cache.get('k');
    const metrics = track(cacheMetrics(cache));
    await cache.get('k');
    expect(metrics.stats().totals).toMatchObject({ l1Hits: 1, sets: 0, hits: 1 });
  });

  it('times loaders and reports their outcomes (fake timers)', async () => {
    vi.useFakeTimers();
    const cache = createCache({ namespace: 'src' });
    const metrics = track(cacheMetrics(cache));
    const slow = (ms: number) => () => new Promise<number>((r) => setTimeout(() => r(ms), ms));
    for (let i = 0; i < 98; i++) {
      const pending = cache.getOrSet(`fast-${i}`, slow(10));
      await vi.advanceTimersByTimeAsync(10);
      await pending;
    }
    for (let i = 0; i < 2; i++) {
      const pending = cache.getOrSet(`slow-${i}`, slow(1_000));
      await vi.advanceTimersByTimeAsync(1_000);
      await pending;
    }
    const failing = cache.getOrSet('broken', async () => {
      throw new Error('source down');
    });
    await expect(failing).rejects.toThrow('source down');
    const hanging = cache
      .getOrSet('hung', () => new Promise<number>(() => {}), { hardTimeout: '5s' })
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await hanging).toMatchObject({ code: 'E_LOADER_TIMEOUT' });
    const stats = metrics.stats().namespaces.src;
    expect(stats?.loadsByOutcome).toEqual({ ok: 100, error: 1, timeout: 1 });
    expect(stats?.loads).toBe(102);
    const latency = stats?.loadLatency;
    expect(latency?.count).toBe(102);
    expect(latency?.max).toBe(5_000);
    // Log buckets: within ~19 % above the true quantile.
    expect(latency?.p50).toBeGreaterThanOrEqual(10);
    expect(latency?.p50).toBeLessThan(12);
    expect(latency?.p99).toBeGreaterThanOrEqual(1_000);
    expect(latency?.p99).toBeLessThanOrEqual(1_190);
    expect(latency?.mean).toBeCloseTo((98 * 10 + 2 * 1_000 + 0 + 5_000) / 102, 5);
  });

  it('counts stale serves', async () => {
    vi.useFakeTimers();
    const cache = createCache();
    const metrics = track(cacheMetrics(cache));
    const options = { ttl: '1s', grace: '1m', softTimeout: 0 } as const;
    await cache.getOrSet('k', async () => 'old', options);
    vi.advanceTimersByTime(1_500);
    expect(await cache.getOrSet('k', async () => 'new', options)).toBe('old');
    const { totals } = metrics.stats();
    expect(totals.stale).toBe(1);
    expect(totals.misses).toBe(2); // a stale serve is a miss too
  });

  it('counts invalidations by kind, and refused writes', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const metrics = track(cacheMetrics(cache));
    await cache.set('a', 1, { tags: ['t'] });
    await cache.invalidateTags(['t', 'u']);
    await cache.handleEvent('miner.config.updated');
    await cache.delete('a');
    await cache.deleteMany(['b', 'c']);
    await cache.deleteMatching('miner:*');
    // A load that an invalidation overtook is not stored.
    let release: (value: number) => void = () => {};
    const loading = cache.getOrSet('d', () => new Promise<number>((r) => (release = r)));
    await vi.waitFor(() => expect(metrics.stats().totals.misses).toBe(1));
    await cache.delete('d');
    release(4);
    await loading;
    const stats = metrics.stats().namespaces.fleet;
    expect(stats?.invalidationsByKind).toEqual({
      tag: 1,
      event: 1,
      key: 3,
      pattern: 1,
      remote: 0,
      flush: 0,
    });
    expect(stats?.invalidations).toBe(6);
    expect(stats).toMatchObject({ sets: 1, setsRefused: 1 });
  });

  it('counts errors by code, E_CIRCUIT_OPEN once per refused call, and follows the circuit', async () => {
    const store = switchableStore();
    const cache = createCache({
      store,
      namespace: 'fleet',
      circuitBreaker: { consecutiveFailures: 2, openFor: '1m' },
    });
    const metrics = track(cacheMetrics(cache));
    store.down = true;
    for (let i = 0; i < 5; i++) expect(await cache.getOrSet(`k${i}`, async () => i)).toBe(i);
    const stats = metrics.stats();
    expect(stats.totals.errorsByCode).toEqual({ E_STORE: 2, E_CIRCUIT_OPEN: 3 });
    expect(stats.totals.errors).toBe(5);
    expect(stats.circuit).toEqual({ state: 'open', opens: 1 });
    expect(stats.totals.loads).toBe(5);
  });
});

describe('options', () => {
  it('refuses what is not a cache, and bad options, with E_INVALID_OPTION', () => {
    const cache = createCache();
    expect(() => cacheMetrics({} as never)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION' }),
    );
    for (const bad of [
      { maxGroups: 0 },
      { maxGroups: 1.5 },
      { keyGroup: 'prefix' },
      { prometheus: { prefix: 'bad-prefix' } },
      { prometheus: { registry: {} } },
      { openTelemetry: { meter: {} } },
      { bus: {} },
      { log: { logger: {} } },
      { log: { logger: { info() {} }, interval: 0 } },
      { log: { logger: { info() {} }, interval: 'soon' } },
    ]) {
      expect(() => cacheMetrics(cache, bad as never), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION' }),
      );
    }
  });
});
