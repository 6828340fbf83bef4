import { createCache } from '@cachekit/core';
import { nodeRedisStore } from '@cachekit/node-redis';
import { info, type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A private server that only this test talks to, so its command statistics are ours alone.
let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
}, 20_000);

afterAll(async () => {
  await server?.stop();
});

it('runs every store and cache operation without KEYS or FLUSH*, using SCAN and UNLINK', async () => {
  const store = nodeRedisStore({ url: server.url });
  try {
    await store.set('ck:a', '1', 10_000);
    await store.setMany([
      { key: 'ck:b', value: '2', ttl: 10_000 },
      { key: 'ck:c', value: '3', ttl: 10_000 },
    ]);
    expect(await store.get('ck:a')).toBe('1');
    expect(await store.getMany(['ck:a', 'ck:b', 'ck:missing'])).toEqual(['1', '2', undefined]);
    const [generation] = await store.bumpGenerations(['ck:g'], 10_000);
    expect(
      await store.setIfGenerations('ck:d', '4', 10_000, [
        { key: 'ck:g', generation: generation as string },
      ]),
    ).toBe(true);
    expect(await store.delete(['ck:a', 'ck:b'])).toBe(2);
    expect(await store.deleteMatching('ck:*')).toBe(3); // ck:c, ck:d, ck:g

    const cache = createCache({ store, namespace: 'fleet' });
    let loads = 0;
    const load = async (): Promise<{ id: string }> => {
      loads++;
      return { id: 'm1' };
    };
    expect(await cache.getOrSet(['miner', 'm1'], load, { tags: ['fleet'] })).toEqual({ id: 'm1' });
    expect(await cache.getOrSet(['miner', 'm1'], load, { tags: ['fleet'] })).toEqual({ id: 'm1' });
    expect(loads).toBe(1);
    await cache.invalidateTags(['fleet']);
    await cache.getOrSet(['miner', 'm1'], load, { tags: ['fleet'] });
    expect(loads).toBe(2);
    await cache.delete(['miner', 'm1']);
    await cache.getOrSet(['miner', 'm2'], load);
    expect(await cache.deleteMatching('miner:*')).toBe(1);
    await cache.close();
  } finally {
    await store.close();
  }

  const stats = await info(server, 'commandstats');
  const commands = [...stats.keys()].map((key) => key.replace(/^cmdstat_/, ''));
  expect(commands).not.toContain('keys');
  expect(commands).not.toContain('flushall');
  expect(commands).not.toContain('flushdb');
  expect(commands).toContain('scan');
  expect(commands).toContain('unlink');
  expect(commands).not.toContain('del');
});
