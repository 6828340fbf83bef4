import { createCache } from '@cachekit/core';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { type CacheMetrics, cacheMetrics, OPERATION_BUCKETS } from '../src/index.js';
import { switchableStore } from './helpers.js';

/** A pull reader: `collect()` on demand, nothing exported anywhere. */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const open: CacheMetrics[] = [];
const providers: MeterProvider[] = [];
afterEach(async () => {
  for (const metrics of open.splice(0)) metrics.close();
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

function setup(temporality = AggregationTemporality.CUMULATIVE) {
  const reader = new TestReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return { reader, meter: provider.getMeter('cachekit-test') };
}

async function collect(reader: MetricReader): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}

function points(metrics: ResourceMetrics, name: string): DataPoint<unknown>[] {
  const found = metrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name);
  return found.flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
}

function point(
  metrics: ResourceMetrics,
  name: string,
  attributes: Record<string, string>,
): DataPoint<unknown> {
  const matching = points(metrics, name).filter((p) =>
    Object.entries(attributes).every(([key, value]) => p.attributes[key] === value),
  );
  if (matching.length !== 1) {
    throw new Error(`Expected one ${name} ${JSON.stringify(attributes)}, got ${matching.length}`);
  }
  return matching[0] as DataPoint<unknown>;
}

const ZERO_BUS_STATS = {
  published: 0,
  received: 0,
  malformed: 0,
  gaps: 0,
  reconnects: 0,
  dropped: 0,
  handlerErrors: 0,
};

describe('OpenTelemetry exporter', () => {
  it('reports counters and the hit ratio from the numbers, and histograms per event', async () => {
    const { reader, meter } = setup();
    const cache = createCache({ namespace: 'fleet', l1: true });
    open.push(cacheMetrics(cache, { openTelemetry: { meter } }));
    await cache.getOrSet('a', async () => 1); // miss, load, set
    await cache.getOrSet('a', async () => 1); // L1 hit
    await cache.getOrSet('a', async () => 1); // L1 hit
    await cache.get('b'); // miss
    await cache.invalidateTags(['t']);
    const metrics = await collect(reader);
    const ns = { namespace: 'fleet' };
    expect(point(metrics, 'cachekit.hits', { ...ns, tier: 'l1' }).value).toBe(2);
    expect(point(metrics, 'cachekit.hits', { ...ns, tier: 'l2' }).value).toBe(0);
    expect(point(metrics, 'cachekit.misses', ns).value).toBe(2);
    expect(point(metrics, 'cachekit.sets', ns).value).toBe(1);
    expect(point(metrics, 'cachekit.loads', { ...ns, outcome: 'ok' }).value).toBe(1);
    expect(point(metrics, 'cachekit.invalidations', { ...ns, kind: 'tag' }).value).toBe(1);
    expect(point(metrics, 'cachekit.hit_ratio', ns).value).toBe(0.5);
    expect(point(metrics, 'cachekit.circuit.open', {}).value).toBe(0);
    const reads = point(metrics, 'cachekit.operation.duration', { ...ns, operation: 'read' })
      .value as Histogram;
    expect(reads.count).toBe(2);
    expect(reads.buckets.boundaries).toEqual(OPERATION_BUCKETS);
    const invalidations = point(metrics, 'cachekit.operation.duration', {
      ...ns,
      operation: 'invalidate',
    }).value as Histogram;
    expect(invalidations.count).toBe(1);
    const loads = point(metrics, 'cachekit.loader.duration', { ...ns, outcome: 'ok' })
      .value as Histogram;
    expect(loads.count).toBe(1);
    // Observable counters follow the numbers at each collection.
    await cache.get('c');
    expect(point(await collect(reader), 'cachekit.misses', ns).value).toBe(3);
  });

  it('counts errors by code, E_CIRCUIT_OPEN included, and the open circuit', async () => {
    const { reader, meter } = setup();
    const store = switchableStore();
    const cache = createCache({
      store,
      circuitBreaker: { consecutiveFailures: 1, openFor: '1m' },
    });
    open.push(cacheMetrics(cache, { openTelemetry: { meter } }));
    store.down = true;
    for (let i = 0; i < 3; i++) await cache.get(`k${i}`);
    const metrics = await collect(reader);
    expect(point(metrics, 'cachekit.errors', { code: 'E_CIRCUIT_OPEN' }).value).toBe(2);
    expect(point(metrics, 'cachekit.errors', { code: 'E_STORE', operation: 'get' }).value).toBe(1);
    expect(point(metrics, 'cachekit.circuit.open', {}).value).toBe(1);
  });

  it('stops observing and recording after close()', async () => {
    // Delta temporality: a collection reports only what was observed or recorded since the last.
    const { reader, meter } = setup(AggregationTemporality.DELTA);
    const cache = createCache();
    const metrics = cacheMetrics(cache, { openTelemetry: { meter } });
    await cache.get('a');
    const before = await collect(reader);
    expect(point(before, 'cachekit.misses', {}).value).toBe(1);
    expect(points(before, 'cachekit.operation.duration')).toHaveLength(1);
    await cache.get('b');
    expect(point(await collect(reader), 'cachekit.misses', {}).value).toBe(1); // the delta
    metrics.close();
    metrics.close(); // idempotent
    await cache.get('c');
    const after = await collect(reader);
    expect(points(after, 'cachekit.misses')).toEqual([]);
    expect(points(after, 'cachekit.hit_ratio')).toEqual([]);
    expect(points(after, 'cachekit.operation.duration')).toEqual([]);
  });

  it('bounds attributes with keyGroup as for Prometheus', async () => {
    const { reader, meter } = setup();
    const cache = createCache();
    open.push(
      cacheMetrics(cache, { openTelemetry: { meter }, keyGroup: (key) => key, maxGroups: 3 }),
    );
    for (let i = 0; i < 500; i++) await cache.get(`k${i}`);
    const misses = points(await collect(reader), 'cachekit.misses');
    expect(misses).toHaveLength(4);
    expect(misses.find((p) => p.attributes.group === 'other')?.value).toBe(497);
  });

  it('refuses a second cacheMetrics of the same namespaces on one meter, with a typed error', async () => {
    const { reader, meter } = setup();
    const first = createCache({ namespace: 'fleet' });
    const metrics = cacheMetrics(first, { openTelemetry: { meter } });
    open.push(metrics);
    // Same root namespace (even through a child Cache): both would observe the same series.
    for (const cache of [createCache({ namespace: 'fleet' }), first.namespace('miner')]) {
      expect(() => cacheMetrics(cache, { openTelemetry: { meter } })).toThrow(
        expect.objectContaining({ code: 'E_METRICS_ALREADY_REGISTERED' }),
      );
    }
    // Another root namespace on the same meter is fine: its series carry other attributes.
    const other = createCache({ namespace: 'billing' });
    open.push(cacheMetrics(other, { openTelemetry: { meter } }));
    await first.get('a');
    await other.get('b');
    await other.get('c');
    const collected = await collect(reader);
    expect(point(collected, 'cachekit.misses', { namespace: 'fleet' }).value).toBe(1);
    expect(point(collected, 'cachekit.misses', { namespace: 'billing' }).value).toBe(2);
    expect(point(collected, 'cachekit.circuit.open', { namespace: 'billing' }).value).toBe(0);
    // After close(), the namespace is free again.
    metrics.close();
    open.push(cacheMetrics(createCache({ namespace: 'fleet' }), { openTelemetry: { meter } }));
  });

  it('refuses a second bus on one meter: the bus instruments carry no namespace', () => {
    const { meter } = setup();
    const bus = { on: () => () => {}, stats: () => ({ ...ZERO_BUS_STATS }) };
    open.push(cacheMetrics(createCache({ namespace: 'a' }), { openTelemetry: { meter }, bus }));
    expect(() =>
      cacheMetrics(createCache({ namespace: 'b' }), { openTelemetry: { meter }, bus }),
    ).toThrow(expect.objectContaining({ code: 'E_METRICS_ALREADY_REGISTERED' }));
    open.push(cacheMetrics(createCache({ namespace: 'b' }), { openTelemetry: { meter } }));
  });
});
