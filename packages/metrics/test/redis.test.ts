import { randomUUID } from 'node:crypto';
import { type Cache, createCache } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { type Bus, cacheSync, createBus } from '@cachekit/pubsub';
import { waitFor } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheMetrics } from '../src/index.js';
import { parseProm, value } from './helpers.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A "process": its own store connection, bus and L1, on the shared test Redis. */
function processOn(url: string, namespace: string): { cache: Cache; bus: Bus } {
  const client = new Redis(url);
  const bus = createBus({ transport: ioredisTransport({ client }) });
  const cache = createCache({
    store: ioredisStore({ redis: url }),
    namespace,
    l1: true,
    sync: cacheSync(bus, { namespace }),
  });
  cleanups.push(async () => {
    await cache.close(); // quits the store's own client
    await bus.dispose();
    await client.quit();
  });
  return { cache, bus };
}

describe('metrics on real Redis', () => {
  it('times L2 reads and counts hits, and measures bus lag between two processes', async () => {
    const { url } = redisFromInject().standalone;
    const namespace = `metrics-${randomUUID()}`;
    const a = processOn(url, namespace);
    const b = processOn(url, namespace);
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    const registry = new Registry();
    const metrics = cacheMetrics(b.cache, { bus: b.bus, prometheus: { registry } });
    cleanups.push(() => metrics.close());

    await a.cache.getOrSet('miner:1', async () => ({ hashrate: 110 }), { tags: ['fleet'] });
    expect(await b.cache.get('miner:1')).toEqual({ hashrate: 110 }); // L2 hit, then in B's L1
    expect(await b.cache.get('miner:1')).toEqual({ hashrate: 110 }); // L1 hit
    expect(await b.cache.get('miner:2')).toBeUndefined(); // L2 miss
    await a.cache.invalidateTags(['fleet']);
    // Announced twice (sent with the store command, again once it is confirmed).
    await waitFor(() => metrics.stats().bus?.messages === 2, {
      description: 'the invalidation to reach B',
    });
    expect(await b.cache.get('miner:1')).toBeUndefined(); // dropped from B's L1, stale in L2

    const stats = metrics.stats();
    const ns = stats.namespaces[namespace];
    expect(ns).toMatchObject({ l1Hits: 1, l2Hits: 1, misses: 2, hitRatio: 0.5 });
    expect(ns?.latency.count).toBe(3);
    // A real round trip: well above zero, well below a second.
    expect(ns?.latency.p50).toBeGreaterThan(0.01);
    expect(ns?.latency.max).toBeLessThan(1_000);
    expect(ns?.invalidationsByKind.remote).toBe(2);
    expect(stats.bus?.lag.count).toBe(stats.bus?.messages);
    expect(stats.bus?.lag.max).toBeLessThan(1_000);
    expect(stats.bus).toMatchObject({ gaps: 0, malformed: 0 });

    const samples = parseProm(await registry.metrics());
    const labels = { namespace };
    expect(value(samples, 'cachekit_hits_total', { ...labels, tier: 'l2' })).toBe(1);
    expect(value(samples, 'cachekit_hits_total', { ...labels, tier: 'l1' })).toBe(1);
    expect(
      value(samples, 'cachekit_operation_duration_seconds_count', { ...labels, operation: 'read' }),
    ).toBe(3);
    expect(value(samples, 'cachekit_bus_messages_total')).toBe(stats.bus?.messages);
    expect(value(samples, 'cachekit_bus_lag_seconds_count')).toBe(stats.bus?.messages);
  });
});
