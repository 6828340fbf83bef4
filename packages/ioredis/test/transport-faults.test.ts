import { runTransportFaultConformance } from '@cachekit/core/testing';
import { ioredisTransport } from '@cachekit/ioredis';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A private server: these cases kill every pub/sub connection on it (CLIENT KILL TYPE pubsub).
let server: RedisServerHandle;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: server.host, port: server.port });
}, 20_000);

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

runTransportFaultConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'ioredis standalone',
    topology: 'standalone',
    nodes: () => [server],
    command: (_node, [command, ...args]) => admin.call(command as string, ...args),
    async create(options) {
      const client = new Redis({
        host: server.host,
        port: server.port,
        // Reconnect at once: the kills are not outages.
        retryStrategy: options.noReconnect ? () => null : () => 1,
        ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
      });
      await client.ping();
      return {
        transport: ioredisTransport({ client }),
        alive: async () => expect(await client.ping()).toBe('PONG'),
        dispose: () => client.disconnect(),
      };
    },
    ended: (subscriber) => (subscriber as Redis).status === 'end',
  },
);
