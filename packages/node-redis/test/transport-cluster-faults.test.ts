import { runTransportFaultConformance } from '@cachekit/core/testing';
import { nodeRedisTransport } from '@cachekit/node-redis';
import { type RedisClusterHandle, startRedisCluster } from '@cachekit/redis-testkit';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A private cluster: these cases refuse new connections on every node and kill every pub/sub
// connection (CLIENT KILL TYPE pubsub), which would break other tests on the shared one.
let cluster: RedisClusterHandle;
const admins = new Map<number, ReturnType<typeof createClient>>();

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  for (const node of cluster.nodes) {
    admins.set(node.port, createClient({ socket: { ...node, reconnectStrategy: false } }));
  }
  await Promise.all([...admins.values()].map((admin) => admin.connect()));
}, 30_000);

afterAll(async () => {
  for (const admin of admins.values()) admin.destroy();
  await cluster?.stop();
});

runTransportFaultConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'node-redis cluster',
    topology: 'cluster',
    nodes: () => cluster.nodes,
    // Connections opened beforehand: the cases refuse new ones (maxclients 1).
    command: (node, args) =>
      (admins.get(node.port) as ReturnType<typeof createClient>).sendCommand([...args]),
    async create(options) {
      const client = createCluster({
        rootNodes: cluster.nodes.map((node) => ({ socket: node })),
        defaults: { socket: { reconnectStrategy: () => 50 } },
      });
      client.on('error', () => {});
      await client.connect();
      const sharded = options.sharded === undefined ? {} : { sharded: options.sharded };
      return {
        transport: nodeRedisTransport({ client, ...sharded }),
        alive: async () => expect(await client.sendCommand(undefined, true, ['PING'])).toBe('PONG'),
        dispose: () => client.destroy(),
      };
    },
    ended: (subscriber) => (subscriber as { isOpen: boolean }).isOpen === false,
  },
);
