import { createCache } from '@cachekit/core';
import { type Bus, cacheSync, createBus, type MemoryTransport, memoryHub } from '@cachekit/pubsub';
import { waitFor } from '@cachekit/redis-testkit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type CacheMetrics, cacheMetrics } from '../src/index.js';
import { parseProm, value } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two "processes": caches with L1 on one store, synced through buses on one memory hub. */
function twoProcesses(receiverSkewMs = 0) {
  const hub = memoryHub();
  const make = (source: string, skew: number) => {
    const transport = hub.transport();
    const bus = createBus({ transport, source, now: () => Date.now() + skew });
    const cache = createCache({ namespace: 'fleet', l1: true, sync: cacheSync(bus) });
    cleanups.push(async () => {
      await cache.close();
      await bus.dispose();
    });
    return { transport, bus, cache };
  };
  return { a: make('a', 0), b: make('b', receiverSkewMs) };
}

function track(metrics: CacheMetrics): CacheMetrics {
  cleanups.push(() => metrics.close());
  return metrics;
}

describe('bus metrics', () => {
  it('counts messages and their lag, remote invalidations, gaps and reconnects', async () => {
    const { a, b } = twoProcesses(250);
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    const registry = new Registry();
    const metrics = track(cacheMetrics(b.cache, { bus: b.bus, prometheus: { registry } }));
    expect(metrics.stats().bus).toMatchObject({ messages: 0, gaps: 0, reconnects: 0 });
    await a.cache.delete('k'); // announced twice (sent early, then confirmed)
    await waitFor(() => metrics.stats().bus?.messages === 2, { description: 'two messages' });
    let stats = metrics.stats();
    expect(stats.namespaces.fleet?.invalidationsByKind.remote).toBe(2);
    // The receiver's clock runs 250 ms ahead: that is the lag it measures.
    expect(stats.bus?.lag.count).toBe(2);
    expect(stats.bus?.lag.p50).toBeGreaterThanOrEqual(250);
    expect(stats.bus?.lag.p50).toBeLessThan(250 * 1.2 + 50);
    (b.transport as MemoryTransport).testing.simulateReconnect();
    await waitFor(() => metrics.stats().bus?.reconnects === 1, { description: 'the reconnect' });
    stats = metrics.stats();
    expect(stats.bus).toMatchObject({ gaps: 1, reconnects: 1 });
    expect(stats.namespaces.fleet?.invalidationsByKind.flush).toBe(1);
    const samples = parseProm(await registry.metrics());
    expect(value(samples, 'cachekit_bus_messages_total')).toBe(2);
    expect(value(samples, 'cachekit_bus_gaps_total')).toBe(1);
    expect(value(samples, 'cachekit_bus_reconnects_total')).toBe(1);
    expect(value(samples, 'cachekit_bus_lag_seconds_count')).toBe(2);
    expect(value(samples, 'cachekit_bus_lag_seconds_bucket', { le: '0.1' })).toBe(0);
    expect(value(samples, 'cachekit_bus_lag_seconds_bucket', { le: '0.5' })).toBe(2);
    expect(
      value(samples, 'cachekit_invalidations_total', { namespace: 'fleet', kind: 'remote' }),
    ).toBe(2);
  });

  it('counts malformed messages from bus.stats(), and stops listening on close()', async () => {
    const hub = memoryHub();
    const raw = hub.transport();
    await raw.connect({ message: () => {}, reconnect: () => {}, error: () => {} });
    cleanups.push(() => raw.close());
    const bus: Bus = createBus({ transport: hub.transport() });
    cleanups.push(() => bus.dispose());
    let delivered = 0;
    await bus.subscribe('fleet', () => {
      delivered++;
    });
    const cache = createCache();
    const metrics = cacheMetrics(cache, { bus });
    await raw.publish('fleet', 'not json');
    const other = createBus({ transport: hub.transport() });
    cleanups.push(() => other.dispose());
    await other.publish('fleet', 'status', 1);
    await waitFor(() => delivered === 1, { description: 'the valid message' });
    expect(metrics.stats().bus).toMatchObject({ messages: 1, malformed: 1 });
    const listeners = bus.stats().eventListeners;
    metrics.close();
    expect(bus.stats().eventListeners).toBe(listeners - 1);
    await other.publish('fleet', 'status', 2);
    await waitFor(() => delivered === 2, { description: 'the second message' });
    expect(metrics.stats().bus?.messages).toBe(1);
  });
});
