import { runStoreConformance } from '@cachekit/core/testing';
import { nodeRedisStore } from '@cachekit/node-redis';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, it } from 'vitest';

const runner = { describe, it, beforeAll, afterAll };
const { standalone, cluster } = redisFromInject();

runStoreConformance(runner, {
  name: 'node-redis standalone',
  create: () => nodeRedisStore({ url: standalone.url }),
  capabilities: { local: false, cluster: false },
});

runStoreConformance(runner, {
  name: 'node-redis cluster',
  create: () =>
    nodeRedisStore({
      cluster: { rootNodes: cluster.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) },
    }),
  capabilities: { local: false, cluster: true },
});

// A user client with node-redis 6's `keyPrefix`: SCAN patterns and replies are not prefixed by
// node-redis, so deleteMatching must add and strip the prefix itself.
describe('with a keyPrefix client', () => {
  const client = createClient({ url: standalone.url, keyPrefix: 'ck-prefixed:' });
  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
  });
  runStoreConformance(runner, {
    name: 'node-redis standalone, keyPrefix client',
    create: () => nodeRedisStore({ client }),
    dispose: async () => {},
    capabilities: { local: false, cluster: false },
  });
});
