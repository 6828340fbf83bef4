import {
  runTransportConformance,
  type TransportFixture,
  type TransportFixtureOptions,
} from '@cachekit/core/testing';
import { ioredisTransport } from '@cachekit/ioredis';
import { sendCommand } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Transports on the run's shared cluster. Only the cases' own pub/sub connections are killed,
// found by a unique connection name; tests that break nodes use a private cluster
// (transport-cluster-faults.test.ts).

/** A Cluster client of the shared cluster and a transport on it. */
async function create(options: TransportFixtureOptions): Promise<TransportFixture> {
  const nodes = redisFromInject().cluster.map(({ host, port }) => ({ host, port }));
  const redisOptions = {
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
  };
  const client = new Cluster(nodes, { redisOptions });
  const sharded = options.sharded === undefined ? {} : { sharded: options.sharded };
  return {
    transport: ioredisTransport({ client, ...sharded }),
    alive: async () => expect(await client.set('ck:transport:alive', '1', 'PX', 1000)).toBe('OK'),
    dispose: () => client.disconnect(),
  };
}

runTransportConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'ioredis cluster',
    topology: 'cluster',
    nodes: () => redisFromInject().cluster,
    command: sendCommand,
    create,
    ended: (subscriber) => (subscriber as Cluster).status === 'end',
    // ioredis treats shard channels as keys: a client keyPrefix is added on the wire.
    shardChannel: (channel, keyPrefix) => keyPrefix + channel,
  },
);
