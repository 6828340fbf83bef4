import { randomUUID } from 'node:crypto';
import { waitFor } from '@cachekit/core/testing';
import { nodeRedisStore } from '@cachekit/node-redis';
import { type RedisClusterHandle, startRedisCluster } from '@cachekit/redis-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A private cluster: this test kills every node.
let cluster: RedisClusterHandle;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 30_000);

afterAll(async () => {
  await cluster?.stop();
});

it('a created cluster client that found no node at startup connects on a later call', async () => {
  await Promise.all(cluster.servers.map((server) => server.kill()));
  const store = nodeRedisStore({
    cluster: {
      rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    },
  });
  try {
    expect(store.capabilities.cluster).toBe(true);
    await expect(store.get('any')).rejects.toThrow();

    await Promise.all(cluster.servers.map((server) => server.restart()));
    await cluster.waitForOk();
    const key = `ck-lifecycle:${randomUUID()}`;
    await waitFor(
      async () => {
        await store.set(key, 'v', 10_000);
        return (await store.get(key)) === 'v';
      },
      { timeout: 10_000, interval: 50, message: 'the store to reach the restarted cluster' },
    );
    await expect(store.deleteMatching('ck-lifecycle:*')).resolves.toBeGreaterThanOrEqual(1);
  } finally {
    await store.close();
  }
}, 30_000);

it('close() of a created cluster client is idempotent and ends its use', async () => {
  const store = nodeRedisStore({
    cluster: {
      rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    },
  });
  await store.set(`ck-lifecycle:${randomUUID()}`, 'v', 10_000);
  await Promise.all([store.close(), store.close()]);
  await store.close();
  await expect(store.get('any')).rejects.toThrow();
});
