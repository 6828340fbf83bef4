import { runTransportFaultConformance } from '@cachekit/core/testing';
import { ioredisTransport } from '@cachekit/ioredis';
import { type RedisClusterHandle, startRedisCluster } from '@cachekit/redis-testkit';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A private cluster: these cases refuse new connections on every node and kill every pub/sub
// connection (CLIENT KILL TYPE pubsub), which would break other tests on the shared one.
let cluster: RedisClusterHandle;
const admins = new Map<number, Redis>();

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  for (const node of cluster.nodes) {
    admins.set(node.port, new Redis({ ...node, retryStrategy: () => null }));
  }
  await Promise.all([...admins.values()].map((admin) => admin.ping()));
}, 30_000);

afterAll(async () => {
  for (const admin of admins.values()) admin.disconnect();
  await cluster?.stop();
});

runTransportFaultConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'ioredis cluster',
    topology: 'cluster',
    nodes: () => cluster.nodes,
    // Connections opened beforehand: the cases refuse new ones (maxclients 1).
    command: (node, [command, ...args]) =>
      (admins.get(node.port) as Redis).call(command as string, ...args),
    async create(options) {
      const client = new Cluster(cluster.nodes.map((node) => ({ ...node })));
      client.on('error', () => {});
      await client.ping();
      const sharded = options.sharded === undefined ? {} : { sharded: options.sharded };
      return {
        transport: ioredisTransport({ client, ...sharded }),
        alive: async () => expect(await client.ping()).toBe('PONG'),
        dispose: () => client.disconnect(),
      };
    },
    ended: (subscriber) => (subscriber as Cluster).status === 'end',
  },
);
