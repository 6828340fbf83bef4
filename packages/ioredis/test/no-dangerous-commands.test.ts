import { createCache, definePolicy, EVENT_DRIVEN } from '@cachekit/core';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisStore } from '../src/index.js';
import { commandCalls } from './helpers.js';

const TTL = 60_000;

describe('the ioredis store never sends KEYS, FLUSHALL or FLUSHDB', () => {
  // A server only this test uses, so its command stats show exactly what the store sent.
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('in every store operation and cache operation', async () => {
    const store = ioredisStore({ redis: server.url, batchSize: 7, scanCount: 5 });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `p:k${i}`);
      await store.set('p:one', 'v', TTL);
      await store.get('p:one');
      await store.setMany(keys.map((key) => ({ key, value: key, ttl: TTL })));
      await store.getMany(keys);
      await store.delete(keys.slice(0, 10));
      const generations = await store.bumpGenerations(['p:g1', 'p:g2'], TTL);
      await store.setIfGenerations('p:guarded', 'v', TTL, [
        { key: 'p:g1', generation: generations[0] as string },
      ]);
      await store.setIfGenerations('p:guarded', 'v', TTL, [{ key: 'p:g2', generation: '0' }]);
      expect(await store.deleteMatching('p:k*')).toBe(30);

      const cache = createCache({ store, namespace: 'fleet' });
      const policy = definePolicy(EVENT_DRIVEN, {
        ttl: '1m',
        invalidateOn: ['miner.config.updated'],
      });
      for (let i = 0; i < 20; i++) {
        await cache.getOrSet(['miner', i, 'status'], () => ({ i }), { tags: ['fleet'] });
        await cache.getOrSet(['miner', i, 'config'], () => ({ i }), { policy });
      }
      await cache.set(['miner', 1, 'status'], { i: 1 }, { tags: ['fleet'] });
      await cache.get(['miner', 1, 'status']);
      await cache.delete(['miner', 2, 'status']);
      await cache.invalidateTags(['fleet']);
      await cache.handleEvent('miner.config.updated');
      expect(await cache.deleteMatching('miner:*:status')).toBe(19);
      await cache.close();
    } finally {
      await store.close();
    }

    const calls = await commandCalls(server);
    expect(calls.has('keys')).toBe(false);
    expect(calls.has('flushall')).toBe(false);
    expect(calls.has('flushdb')).toBe(false);
    // The stats are really being read: the commands that replace those show up.
    expect(calls.get('scan')).toBeGreaterThan(2);
    expect(calls.get('unlink')).toBeGreaterThan(2);
    expect((calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0)).toBeGreaterThan(2);
  });
});
