import { runTransportConformance } from '@cachekit/core/testing';
import { nodeRedisTransport } from '@cachekit/node-redis';
import { sendCommand } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Transports on the run's shared standalone server. Fault tests that kill every pub/sub
// connection of a server run on a private one (transport-faults.test.ts).

const server = (): { host: string; port: number } => redisFromInject().standalone;

runTransportConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'node-redis standalone',
    topology: 'standalone',
    nodes: () => [server()],
    command: sendCommand,
    // A single node-redis client has no keyPrefix: options.keyPrefix does not apply.
    async create(options) {
      const client = createClient({
        socket: {
          host: server().host,
          port: options.unreachable ? 1 : server().port,
          reconnectStrategy: options.noReconnect ? false : () => 10,
        },
        ...(options.connectionName === undefined ? {} : { name: options.connectionName }),
      });
      client.on('error', () => {});
      if (!options.unreachable) await client.connect();
      const sharded = options.sharded === undefined ? {} : { sharded: options.sharded };
      return {
        transport: nodeRedisTransport({ client, ...sharded }),
        alive: async () => expect(await client.ping()).toBe('PONG'),
        dispose: () => client.destroy(),
      };
    },
    ended: (subscriber) => (subscriber as { isOpen: boolean }).isOpen === false,
  },
);

describe('nodeRedisTransport options', () => {
  it('refuses sharded mode on a single client and a client that is not node-redis', () => {
    const client = createClient({ socket: server() });
    expect(() => nodeRedisTransport({ client, sharded: true })).toThrow(/needs a cluster/);
    expect(() => nodeRedisTransport({ client, sharded: 'yes' as never })).toThrow(
      /sharded must be a boolean/,
    );
    expect(() => nodeRedisTransport({ client: {} as never })).toThrow(/node-redis client/);
    client.destroy();
  });
});
