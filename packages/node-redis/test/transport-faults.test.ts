import { runTransportFaultConformance } from '@cachekit/core/testing';
import { type NodeRedisPubSubClient, nodeRedisTransport } from '@cachekit/node-redis';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A private server: these cases kill every pub/sub connection on it (CLIENT KILL TYPE pubsub).
let server: RedisServerHandle;
let admin: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startRedisServer();
  admin = createClient({ socket: { host: server.host, port: server.port } });
  await admin.connect();
}, 20_000);

afterAll(async () => {
  admin?.destroy();
  await server?.stop();
});

/** Listeners per subscription node-redis holds: one each, however many kill cycles. */
const pubSubListeners = (subscriber: NodeRedisPubSubClient) =>
  (['CHANNELS', 'PATTERNS'] as const).map((type) =>
    [...subscriber.getPubSubListeners(type).values()].map(
      (entry) => (entry as { strings: Set<unknown> }).strings.size,
    ),
  );

runTransportFaultConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'node-redis standalone',
    topology: 'standalone',
    nodes: () => [server],
    command: (_node, args) => admin.sendCommand([...args]),
    async create(options) {
      const client = createClient({
        // Reconnect at once: the kills are not outages.
        socket: {
          host: server.host,
          port: server.port,
          reconnectStrategy: options.noReconnect ? false : () => 1,
        },
        ...(options.connectionName === undefined ? {} : { name: options.connectionName }),
      });
      client.on('error', () => {});
      await client.connect();
      return {
        transport: nodeRedisTransport({ client }),
        alive: async () => expect(await client.ping()).toBe('PONG'),
        dispose: () => client.destroy(),
      };
    },
    ended: (subscriber) => (subscriber as { isOpen: boolean }).isOpen === false,
    checkSubscriber: (subscriber) =>
      expect(pubSubListeners(subscriber as NodeRedisPubSubClient)).toEqual([[1, 1], [1]]),
  },
);
