import { createCache } from '@cachekit/core';
import { type Bus, createBus, type MemoryTransport, memoryHub } from '@cachekit/pubsub';
import { waitFor } from '@cachekit/redis-testkit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type CacheMetrics, cacheMetrics } from '../src/index.js';
import { find, holdableStore, parseProm, switchableStore, value } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track(metrics: CacheMetrics): CacheMetrics {
  cleanups.push(() => metrics.close());
  return metrics;
}

/** Metrics attached to a cache (or bus) that is already running count from their own start. */
describe('metrics attached to a running cache', () => {
  it('time a read that was in flight when they started from its own start', async () => {
    const store = holdableStore();
    const cache = createCache({ store });
    await cache.set('k', 'v');
    const registry = new Registry();
    store.held = true;
    const before = performance.now();
    const reading = cache.get('k');
    const metrics = track(cacheMetrics(cache, { prometheus: { registry } }));
    store.held = false;
    expect(await reading).toBe('v');
    const elapsed = performance.now() - before;
    const { latency } = metrics.stats().totals;
    expect(latency.count).toBe(1);
    expect(latency.max).toBeLessThanOrEqual(elapsed);
    const samples = parseProm(await registry.metrics());
    const labels = { namespace: 'cache', operation: 'read' };
    expect(value(samples, 'cachekit_operation_duration_seconds_sum', labels)).toBeLessThanOrEqual(
      elapsed / 1000,
    );
  });

  it('export no series for namespaces without activity since they started', async () => {
    const cache = createCache({ namespace: 'saas', l1: true });
    await cache.namespace('early').set('k', 1);
    expect(await cache.namespace('early').get('k')).toBe(1); // an L1 hit before metrics start
    const registry = new Registry();
    const metrics = track(cacheMetrics(cache, { prometheus: { registry } }));
    // A Cache object per request and tenant: created, used for nothing that counts.
    for (let i = 0; i < 1_000; i++) void cache.namespace(`tenant-${i}`).keys.entry('k');
    await cache.namespace('busy').set('k', 2); // a set: activity
    expect(await cache.namespace('tenant-1').getOrSet('k', async () => 1)).toBe(1);
    expect(await cache.namespace('tenant-1').get('k')).toBe(1); // an L1 hit
    const samples = parseProm(await registry.metrics());
    const namespaces = new Set(
      samples
        .filter((s) => s.name !== 'cachekit_circuit_open') // the cache's, labelled with its root
        .map((s) => s.labels.namespace)
        .filter(Boolean),
    );
    // Not 'saas:early' (its L1 hit came before), nor any idle tenant, nor the idle root.
    expect([...namespaces].sort()).toEqual(['saas:busy', 'saas:tenant-1']);
    expect(Object.keys(metrics.stats().namespaces).sort()).toEqual(['saas:busy', 'saas:tenant-1']);
    // A namespace with activity gets every row of its label sets, zeros included.
    const tenant = { namespace: 'saas:tenant-1' };
    expect(find(samples, 'cachekit_invalidations_total', tenant)).toHaveLength(6);
    expect(find(samples, 'cachekit_loads_total', tenant)).toHaveLength(3);
    expect(value(samples, 'cachekit_hits_total', { ...tenant, tier: 'l1' })).toBe(1);
    expect(value(samples, 'cachekit_hits_total', { namespace: 'saas:busy', tier: 'l1' })).toBe(0);
    // The early namespace appears with its first hit since metrics started.
    expect(await cache.namespace('early').get('k')).toBe(1);
    const later = parseProm(await registry.metrics());
    expect(value(later, 'cachekit_hits_total', { namespace: 'saas:early', tier: 'l1' })).toBe(1);
  });

  it('start from the state of a circuit that is already open', async () => {
    const store = switchableStore();
    const cache = createCache({
      store,
      namespace: 'fleet',
      circuitBreaker: { consecutiveFailures: 1, openFor: '1m' },
    });
    store.down = true;
    await cache.get('a'); // opens the circuit
    expect(cache.circuitState()).toBe('open');
    const registry = new Registry();
    const metrics = track(cacheMetrics(cache, { prometheus: { registry } }));
    expect(metrics.stats().circuit).toEqual({ state: 'open', opens: 0 });
    const samples = parseProm(await registry.metrics());
    expect(value(samples, 'cachekit_circuit_open', { namespace: 'fleet' })).toBe(1);
  });

  it("count the bus's gaps, reconnects and drops from their start, like its messages", async () => {
    const hub = memoryHub();
    const raw = hub.transport();
    await raw.connect({ message: () => {}, reconnect: () => {}, error: () => {} });
    cleanups.push(() => raw.close());
    const transport = hub.transport();
    const bus: Bus = createBus({ transport });
    cleanups.push(() => bus.dispose());
    let delivered = 0;
    await bus.subscribe('fleet', () => {
      delivered++;
    });
    // Before metrics start: one reconnect (a gap) and one malformed message.
    (transport as MemoryTransport).testing.simulateReconnect();
    await raw.publish('fleet', 'not json');
    await waitFor(() => bus.stats().malformed === 1 && bus.stats().reconnects === 1, {
      description: 'the early reconnect and malformed message',
    });
    const registry = new Registry();
    const metrics = track(cacheMetrics(createCache(), { bus, prometheus: { registry } }));
    expect(metrics.stats().bus).toMatchObject({
      messages: 0,
      gaps: 0,
      reconnects: 0,
      malformed: 0,
    });
    await raw.publish('fleet', 'still not json');
    const other = createBus({ transport: hub.transport() });
    cleanups.push(() => other.dispose());
    await other.publish('fleet', 'status', 1);
    await waitFor(() => delivered === 1 && bus.stats().malformed === 2, {
      description: 'the later messages',
    });
    expect(metrics.stats().bus).toMatchObject({ messages: 1, malformed: 1, gaps: 0 });
    const samples = parseProm(await registry.metrics());
    expect(value(samples, 'cachekit_bus_malformed_total')).toBe(1);
    expect(value(samples, 'cachekit_bus_reconnects_total')).toBe(0);
    expect(value(samples, 'cachekit_bus_gaps_total')).toBe(0);
  });
});
