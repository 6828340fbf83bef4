import { createCache, memoryStore } from '@cachekit/core';
import { Histogram, Registry, type RegistryContentType, register } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CacheMetrics,
  cacheMetrics,
  MetricsPeerMissingError,
  OPERATION_BUCKETS,
} from '../src/index.js';
import { loadPromClient } from '../src/peer.js';
import { find, parseProm, switchableStore, value } from './helpers.js';

const open: CacheMetrics[] = [];
function track(metrics: CacheMetrics): CacheMetrics {
  open.push(metrics);
  return metrics;
}
afterEach(() => {
  for (const metrics of open.splice(0)) metrics.close();
  vi.restoreAllMocks();
});

async function scrape(registry: Registry<RegistryContentType>) {
  return parseProm(await registry.metrics());
}

describe('Prometheus exporter', () => {
  it('exports counters, the hit ratio and histograms that a scrape parses back', async () => {
    const registry = new Registry();
    const cache = createCache({ namespace: 'fleet', l1: true });
    track(cacheMetrics(cache, { prometheus: { registry } }));
    const miners = cache.namespace('miner');
    await miners.getOrSet('m-1', async () => 1, { tags: ['fleet'] }); // miss + load + set
    await miners.getOrSet('m-1', async () => 1, { tags: ['fleet'] }); // L1 hit
    await miners.get('m-1'); // L1 hit
    await miners.get('m-2'); // miss
    await cache.invalidateTags(['fleet']);
    await miners.delete('m-1');
    const samples = await scrape(registry);
    const ns = { namespace: 'fleet:miner' };
    expect(value(samples, 'cachekit_hits_total', { ...ns, tier: 'l1' })).toBe(2);
    expect(value(samples, 'cachekit_hits_total', { ...ns, tier: 'l2' })).toBe(0);
    expect(value(samples, 'cachekit_misses_total', ns)).toBe(2);
    expect(value(samples, 'cachekit_sets_total', ns)).toBe(1);
    expect(value(samples, 'cachekit_loads_total', { ...ns, outcome: 'ok' })).toBe(1);
    expect(value(samples, 'cachekit_hit_ratio', ns)).toBe(0.5);
    expect(
      value(samples, 'cachekit_invalidations_total', { namespace: 'fleet', kind: 'tag' }),
    ).toBe(1);
    expect(value(samples, 'cachekit_invalidations_total', { ...ns, kind: 'key' })).toBe(1);
    expect(value(samples, 'cachekit_circuit_open')).toBe(0);
    // Histograms: two store reads (the misses), one set, one load.
    expect(
      value(samples, 'cachekit_operation_duration_seconds_count', { ...ns, operation: 'read' }),
    ).toBe(2);
    expect(
      value(samples, 'cachekit_operation_duration_seconds_count', { ...ns, operation: 'set' }),
    ).toBe(1);
    expect(
      value(samples, 'cachekit_operation_duration_seconds_bucket', {
        ...ns,
        operation: 'read',
        le: '+Inf',
      }),
    ).toBe(2);
    expect(value(samples, 'cachekit_loader_duration_seconds_count', { ...ns, outcome: 'ok' })).toBe(
      1,
    );
    // No raw key ever becomes a label.
    expect(samples.some((s) => Object.values(s.labels).some((v) => v.includes('m-1')))).toBe(false);
    // Counters move between scrapes (collected from the numbers each time).
    await miners.get('m-3');
    expect(value(await scrape(registry), 'cachekit_misses_total', ns)).toBe(3);
  });

  it('counts histograms in plain bucket arrays, exported when scraped: no observe() per event', async () => {
    // A prom-client Histogram's observe() is this method, taken when it is constructed.
    const prototype = Histogram.prototype as unknown as { observeWithoutExemplar(): void };
    const observe = vi.spyOn(prototype, 'observeWithoutExemplar');
    const registry = new Registry<RegistryContentType>();
    const cache = createCache({ store: memoryStore(), namespace: 'fleet' });
    const metrics = track(cacheMetrics(cache, { prometheus: { registry } }));
    await cache.set('k', 1);
    for (let i = 0; i < 500; i++) await cache.get('k'); // L2 hits
    await cache.getOrSet('other', async () => 2); // a miss, a load and a set
    expect(observe).not.toHaveBeenCalled();
    const samples = await scrape(registry);
    const reads = { namespace: 'fleet', operation: 'read' };
    const count = value(samples, 'cachekit_operation_duration_seconds_count', reads);
    expect(count).toBe(501);
    // Cumulative buckets over exactly the documented bounds, ending at +Inf = count.
    const buckets = find(samples, 'cachekit_operation_duration_seconds_bucket', reads);
    expect(buckets.map((b) => b.labels.le)).toEqual([...OPERATION_BUCKETS.map(String), '+Inf']);
    for (let i = 1; i < buckets.length; i++) {
      expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value as number);
    }
    expect(buckets.at(-1)?.value).toBe(count);
    // The sum is the stats' latency sum, in seconds.
    const latency = metrics.stats().namespaces.fleet?.latency;
    const sum = value(samples, 'cachekit_operation_duration_seconds_sum', reads);
    expect(sum).toBeCloseTo(((latency?.mean as number) * (latency?.count as number)) / 1000, 9);
    expect(
      value(samples, 'cachekit_loader_duration_seconds_count', {
        namespace: 'fleet',
        outcome: 'ok',
      }),
    ).toBe(1);
    // Other ways of reading a registry work on them too.
    const json = await registry.getMetricsAsJSON();
    const histogram = json.find((m) => m.name === 'cachekit_operation_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const open = await registry.metrics();
    expect(open).toContain('# TYPE cachekit_operation_duration_seconds histogram');
    expect(open).toContain(
      `cachekit_operation_duration_seconds_count{namespace="fleet",operation="read"} ${count}`,
    );
    registry.resetMetrics();
  });

  it('counts E_CIRCUIT_OPEN errors and shows the open circuit', async () => {
    const registry = new Registry();
    const store = switchableStore();
    const cache = createCache({
      store,
      namespace: 'fleet',
      circuitBreaker: { consecutiveFailures: 1, openFor: '1m' },
    });
    track(cacheMetrics(cache, { prometheus: { registry } }));
    store.down = true;
    for (let i = 0; i < 4; i++) await cache.get(`k${i}`);
    const samples = await scrape(registry);
    const labels = { namespace: 'fleet', operation: 'get' };
    expect(value(samples, 'cachekit_errors_total', { ...labels, code: 'E_STORE' })).toBe(1);
    expect(value(samples, 'cachekit_errors_total', { ...labels, code: 'E_CIRCUIT_OPEN' })).toBe(3);
    expect(value(samples, 'cachekit_circuit_open')).toBe(1);
  });

  it('uses the prefix, and the global register by default', async () => {
    const cache = createCache();
    const metrics = cacheMetrics(cache, { prometheus: { prefix: 'app_cache_' } });
    try {
      await cache.get('x');
      const samples = parseProm(await register.metrics());
      expect(value(samples, 'app_cache_misses_total', { namespace: 'cache' })).toBe(1);
      expect(find(samples, 'cachekit_misses_total')).toEqual([]);
    } finally {
      metrics.close();
    }
    expect(register.getSingleMetric('app_cache_misses_total')).toBeUndefined();
  });

  it('refuses a second registration on one registry with a typed error, registering nothing', async () => {
    const registry = new Registry();
    const cache = createCache();
    const first = track(cacheMetrics(cache, { prometheus: { registry } }));
    const before = registry.getMetricsAsArray().length;
    let caught: unknown;
    try {
      cacheMetrics(createCache(), { prometheus: { registry } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'E_METRICS_ALREADY_REGISTERED' });
    expect((caught as Error).message).toContain('cachekit_hits_total');
    expect(registry.getMetricsAsArray()).toHaveLength(before);
    // Another prefix on the same registry is fine; so is the same one after close().
    track(cacheMetrics(cache, { prometheus: { registry, prefix: 'other_' } }));
    first.close();
    track(cacheMetrics(cache, { prometheus: { registry } }));
    expect(registry.getSingleMetric('cachekit_hits_total')).toBeDefined();
  });

  it('close() unregisters its metrics and stops counting', async () => {
    const registry = new Registry();
    const cache = createCache();
    const metrics = cacheMetrics(cache, { prometheus: { registry } });
    await cache.get('a');
    metrics.close();
    metrics.close(); // idempotent
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(await registry.metrics()).toBe('\n');
    await cache.get('b');
    expect(metrics.stats().totals.misses).toBe(1);
  });

  it('bounds label sets with keyGroup: 10,000 distinct keys, at most maxGroups + other', async () => {
    const registry = new Registry();
    const cache = createCache({ store: memoryStore(), namespace: 'fleet' });
    track(
      cacheMetrics(cache, {
        prometheus: { registry },
        // A careless grouping that returns the raw key: still bounded.
        keyGroup: (key) => key,
        maxGroups: 20,
      }),
    );
    for (let i = 0; i < 10_000; i++) await cache.get(['miner', `m-${i}`]);
    const samples = await scrape(registry);
    const misses = find(samples, 'cachekit_misses_total');
    expect(misses.length).toBeLessThanOrEqual(21);
    expect(misses.reduce((sum, s) => sum + s.value, 0)).toBe(10_000);
    expect(value(samples, 'cachekit_misses_total', { group: 'other' })).toBe(10_000 - 20);
    expect(find(samples, 'cachekit_misses_total', { group: 'miner:m-0' })).toHaveLength(1);
    const labelSets = new Set(samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`));
    expect(labelSets.size).toBeLessThan(400);
  });

  it('groups keys with a sensible keyGroup, without a group label when not asked', async () => {
    const registry = new Registry();
    const cache = createCache({ namespace: 'fleet' });
    track(
      cacheMetrics(cache, {
        prometheus: { registry },
        keyGroup: (key) => key.split(':')[0] ?? 'none',
      }),
    );
    for (let i = 0; i < 50; i++) await cache.get(['miner', `m-${i}`, 'status']);
    for (let i = 0; i < 5; i++) await cache.get(['pool', `p-${i}`]);
    const samples = await scrape(registry);
    expect(value(samples, 'cachekit_misses_total', { group: 'miner' })).toBe(50);
    expect(value(samples, 'cachekit_misses_total', { group: 'pool' })).toBe(5);

    const plain = new Registry();
    const other = createCache({ namespace: 'fleet' });
    track(cacheMetrics(other, { prometheus: { registry: plain } }));
    for (let i = 0; i < 1_000; i++) await other.get(['miner', `m-${i}`]);
    const misses = find(await scrape(plain), 'cachekit_misses_total');
    expect(misses).toEqual([
      { name: 'cachekit_misses_total', labels: { namespace: 'fleet' }, value: 1_000 },
    ]);
  });

  it('reports a missing prom-client as a typed error that says what to install', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'prom-client'"), {
        code: 'MODULE_NOT_FOUND',
      });
    };
    expect(() => loadPromClient(missing)).toThrow(MetricsPeerMissingError);
    expect(() => loadPromClient(missing)).toThrow(/npm install prom-client/);
    // The real one loads (it is installed here) and is the package's module.
    expect(loadPromClient().Registry).toBe(Registry);
  });
});
