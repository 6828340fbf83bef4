import {
  runTransportConformance,
  type TransportFixture,
  type TransportFixtureOptions,
} from '@cachekit/core/testing';
import { nodeRedisTransport } from '@cachekit/node-redis';
import { sendCommand } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Transports on the run's shared cluster. Only the cases' own pub/sub connections are killed,
// found by a unique connection name; tests that break nodes use a private cluster
// (transport-cluster-faults.test.ts).

/** A connected cluster client of the shared cluster and a transport on it. */
async function create(options: TransportFixtureOptions): Promise<TransportFixture> {
  const client = createCluster({
    rootNodes: redisFromInject().cluster.map(({ host, port }) => ({ socket: { host, port } })),
    // node-redis does not prefix shard channels (SPUBLISH nor SSUBSCRIBE): the suite's
    // shardChannel is left to its default.
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    // Reconnect after 200 ms: reconnect() must wait for the resubscribe, not fire on the loss.
    defaults: {
      socket: { reconnectStrategy: () => 200 },
      ...(options.connectionName === undefined ? {} : { name: options.connectionName }),
    },
  });
  client.on('error', () => {});
  await client.connect();
  const sharded = options.sharded === undefined ? {} : { sharded: options.sharded };
  const px = { expiration: { type: 'PX', value: 1000 } } as const;
  return {
    transport: nodeRedisTransport({ client, ...sharded }),
    alive: async () => expect(await client.set('ck:transport:alive', '1', px)).toBe('OK'),
    dispose: () => client.destroy(),
  };
}

const runner = { describe, it, beforeAll, afterAll };
runTransportConformance(runner, {
  name: 'node-redis cluster',
  topology: 'cluster',
  nodes: () => redisFromInject().cluster,
  command: sendCommand,
  create,
  ended: (subscriber) => (subscriber as { isOpen: boolean }).isOpen === false,
});
