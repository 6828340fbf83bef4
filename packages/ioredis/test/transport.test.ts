import { runTransportConformance } from '@cachekit/core/testing';
import { ioredisTransport } from '@cachekit/ioredis';
import { sendCommand } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Transports on the run's shared standalone server. Fault tests that kill every pub/sub
// connection of a server run on a private one (transport-faults.test.ts).

const server = (): { host: string; port: number } => redisFromInject().standalone;

runTransportConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'ioredis standalone',
    topology: 'standalone',
    nodes: () => [server()],
    command: sendCommand,
    async create(options) {
      const client = new Redis({
        host: server().host,
        port: options.unreachable ? 1 : server().port,
        ...(options.unreachable ? { lazyConnect: true, retryStrategy: () => 10 } : {}),
        ...(options.noReconnect ? { retryStrategy: () => null } : {}),
        ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
        ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
      });
      if (!options.unreachable) await client.ping();
      const sharded = options.sharded === undefined ? {} : { sharded: options.sharded };
      return {
        transport: ioredisTransport({ client, ...sharded }),
        alive: async () => expect(await client.ping()).toBe('PONG'),
        dispose: () => client.disconnect(),
      };
    },
    ended: (subscriber) => (subscriber as Redis).status === 'end',
  },
);

describe('ioredisTransport options', () => {
  it('refuses sharded mode on a standalone client and a client that is not ioredis', () => {
    const client = new Redis({ ...server(), lazyConnect: true });
    expect(() => ioredisTransport({ client, sharded: true })).toThrow(/needs a Cluster/);
    expect(() => ioredisTransport({ client, sharded: 'yes' as never })).toThrow(
      /sharded must be a boolean/,
    );
    expect(() => ioredisTransport({ client: {} as never })).toThrow(/ioredis Redis or Cluster/);
    client.disconnect();
  });
});
