import { createCache } from '@cachekit/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheMetrics, type OtelMeterLike } from '../src/index.js';

class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('metrics never break the cache', () => {
  it('a keyGroup that throws counts the key as "other"; calls go on', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const cache = createCache();
    const metrics = cacheMetrics(cache, {
      keyGroup: () => {
        throw new Error('bad grouping');
      },
    });
    expect(await cache.getOrSet('a', async () => 1)).toBe(1);
    expect(await cache.get('a')).toBe(1);
    const stats = metrics.stats().totals;
    expect(stats).toMatchObject({ misses: 1, l2Hits: 1, sets: 1, loads: 1 });
    expect(metrics.stats().namespaces.cache?.groups?.other).toMatchObject({ misses: 1, l2Hits: 1 });
    expect(warn).not.toHaveBeenCalled();
    metrics.close();
  });

  it('an exporter that fails to record is isolated: the call succeeds and is still counted', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const real = provider.getMeter('broken');
    // A real meter whose histograms fail, as a misbehaving SDK would.
    const meter: OtelMeterLike = {
      createObservableCounter: (name, options) => real.createObservableCounter(name, options),
      createObservableGauge: (name, options) => real.createObservableGauge(name, options),
      addBatchObservableCallback: (callback, observables) =>
        real.addBatchObservableCallback(callback, observables as never),
      removeBatchObservableCallback: (callback, observables) =>
        real.removeBatchObservableCallback(callback, observables as never),
      createHistogram: () => ({
        record() {
          throw new Error('histogram broke');
        },
      }),
    };
    const registry = new Registry();
    const cache = createCache();
    const metrics = cacheMetrics(cache, { openTelemetry: { meter }, prometheus: { registry } });
    expect(await cache.getOrSet('a', async () => 1)).toBe(1);
    expect(metrics.stats().totals).toMatchObject({ misses: 1, sets: 1, loads: 1 });
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]?.[0])).toContain('histogram broke');
    // The other exporter still got its observations.
    expect(await registry.metrics()).toContain(
      'cachekit_loader_duration_seconds_count{namespace="cache",outcome="ok"} 1',
    );
    metrics.close();
    await provider.shutdown();
  });

  it('with metrics on, an L1 hit reads no clock and builds no event', async () => {
    const registry = new Registry();
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const cache = createCache({ l1: true });
    const metrics = cacheMetrics(cache, {
      prometheus: { registry },
      openTelemetry: { meter: provider.getMeter('l1') },
      keyGroup: (key) => key,
    });
    await cache.getOrSet('hot', async () => 'value');
    const now = vi.spyOn(performance, 'now');
    for (let i = 0; i < 1_000; i++) await cache.getOrSet('hot', async () => 'other');
    for (let i = 0; i < 1_000; i++) await cache.get('hot');
    expect(now).not.toHaveBeenCalled();
    expect(metrics.stats().totals.l1Hits).toBe(2_000);
    metrics.close();
    await provider.shutdown();
  });
});
