import { createCache } from '@cachekit/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CacheMetrics, cacheMetrics } from '../src/index.js';
import { parseProm, value } from './helpers.js';

class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track(metrics: CacheMetrics): CacheMetrics {
  cleanups.push(() => metrics.close());
  return metrics;
}

describe('coalesced callers', () => {
  it('count as hits and misses per caller, and as coalesced', async () => {
    const registry = new Registry();
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => provider.shutdown());
    const cache = createCache({ namespace: 'fleet' });
    const metrics = track(
      cacheMetrics(cache, {
        prometheus: { registry },
        openTelemetry: { meter: provider.getMeter('coalesced') },
      }),
    );
    // 100 concurrent misses of one key: one store read, one load.
    let loads = 0;
    const loader = async () => {
      loads++;
      return { hashrate: 110 };
    };
    await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('m-1', loader)));
    // 100 concurrent L2 hits of it (no L1): one store read.
    await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('m-1', loader)));
    expect(loads).toBe(1);
    const stats = metrics.stats().namespaces.fleet;
    expect(stats).toMatchObject({
      hits: 100,
      l2Hits: 100,
      misses: 100,
      coalesced: 198,
      hitRatio: 0.5,
      loads: 1,
      sets: 1,
    });
    // Store reads are timed, waits for another caller's read are not.
    expect(stats?.latency.count).toBe(2);
    expect(metrics.stats().totals.coalesced).toBe(198);

    const samples = parseProm(await registry.metrics());
    const ns = { namespace: 'fleet' };
    expect(value(samples, 'cachekit_hits_total', { ...ns, tier: 'l2' })).toBe(100);
    expect(value(samples, 'cachekit_misses_total', ns)).toBe(100);
    expect(value(samples, 'cachekit_coalesced_total', ns)).toBe(198);
    expect(value(samples, 'cachekit_hit_ratio', ns)).toBe(0.5);
    expect(
      value(samples, 'cachekit_operation_duration_seconds_count', { ...ns, operation: 'read' }),
    ).toBe(2);

    const { resourceMetrics } = await reader.collect();
    const coalesced = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'cachekit.coalesced');
    expect(coalesced?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[ns, 198]]);
  });

  it('count a stale serve per caller too (fake timers)', async () => {
    vi.useFakeTimers();
    const cache = createCache();
    const metrics = track(cacheMetrics(cache));
    const options = { ttl: '1s', grace: '1m', softTimeout: 0 } as const;
    await cache.getOrSet('k', async () => 'old', options); // a miss
    vi.advanceTimersByTime(1_500);
    const values = await Promise.all(
      Array.from({ length: 3 }, () => cache.getOrSet('k', async () => 'new', options)),
    );
    expect(values).toEqual(['old', 'old', 'old']);
    expect(metrics.stats().totals).toMatchObject({ misses: 4, stale: 3, coalesced: 2, hits: 0 });
  });
});
