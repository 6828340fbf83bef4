import { runStoreConformance } from '@cachekit/core/testing';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ioredisStore } from '../src/index.js';
import { clusterClient, standaloneClient } from './helpers.js';

const runner = { describe, it, beforeAll, afterAll };
const { standalone, cluster } = redisFromInject();

// Clients the store creates (and quits in close()).
runStoreConformance(runner, {
  name: 'ioredis standalone',
  create: () => ioredisStore({ redis: standalone.url }),
  capabilities: { local: false, cluster: false },
});

runStoreConformance(runner, {
  name: 'ioredis cluster',
  create: () =>
    ioredisStore({ cluster: { nodes: cluster.map(({ host, port }) => ({ host, port })) } }),
  capabilities: { local: false, cluster: true },
});

// Your own clients with a keyPrefix: ioredis prefixes keys but not SCAN patterns or replies.
let prefixed: Redis | undefined;
runStoreConformance(runner, {
  name: 'ioredis standalone, own client with keyPrefix',
  create: () => {
    prefixed = standaloneClient({ keyPrefix: 'ck-prefix:' });
    return ioredisStore({ client: prefixed });
  },
  dispose: async (store) => {
    await store.close();
    await prefixed?.quit();
  },
  capabilities: { local: false, cluster: false },
});

let prefixedCluster: Cluster | undefined;
runStoreConformance(runner, {
  name: 'ioredis cluster, own client with keyPrefix',
  create: () => {
    prefixedCluster = clusterClient({ keyPrefix: 'ck-prefix:' });
    return ioredisStore({ client: prefixedCluster });
  },
  dispose: async (store) => {
    await store.close();
    await prefixedCluster?.quit();
  },
  capabilities: { local: false, cluster: true },
});
