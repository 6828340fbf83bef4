import type { TransportHandlers } from '@cachekit/core';
import { waitFor } from '@cachekit/core/testing';
import { nodeRedisTransport } from '@cachekit/node-redis';
import { type RedisClusterHandle, startRedisCluster } from '@cachekit/redis-testkit';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A private cluster: these tests refuse new connections on every node and kill every pub/sub
// connection (CLIENT KILL TYPE pubsub), which would break other tests on the shared one.
let cluster: RedisClusterHandle;
let admins: Array<ReturnType<typeof createClient>> = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  admins = cluster.nodes.map((node) =>
    createClient({ socket: { ...node, reconnectStrategy: false } }),
  );
  await Promise.all(admins.map((admin) => admin.connect()));
}, 30_000);

afterAll(async () => {
  for (const admin of admins) admin.destroy();
  await cluster?.stop();
});

const onEveryNode = (args: string[]) => Promise.all(admins.map((admin) => admin.sendCommand(args)));

for (const sharded of [true, false]) {
  it(`${sharded ? 'sharded' : 'classic'}: reconnect() waits until the resubscribe is confirmed, however long the outage`, async () => {
    const client = createCluster({
      rootNodes: cluster.nodes.map((node) => ({ socket: node })),
      defaults: { socket: { reconnectStrategy: () => 50 } },
    });
    client.on('error', () => {});
    await client.connect();
    const channels = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => `ck:outage:${sharded}:${c}`);
    const transport = nodeRedisTransport({ client, sharded });
    let errors = 0;
    let reconnects = 0;
    const received: string[] = [];
    const handlers: TransportHandlers = {
      message: (_channel, message) => received.push(message),
      // Published from inside reconnect(): it only arrives if every subscription was back by then.
      reconnect: () => {
        reconnects += 1;
        for (const channel of channels)
          void transport.publish(channel, `in reconnect() ${reconnects}`);
      },
      error: () => {
        errors += 1;
      },
    };
    try {
      await transport.connect(handlers);
      await transport.subscribe(channels);
      for (const channel of channels) await transport.publish(channel, 'before');
      await waitFor(() => received.length === channels.length, { message: 'the first messages' });

      // New connections are refused (maxclients 1), then the subscribers are killed: they keep
      // failing to reconnect while the publishing connections still work.
      await onEveryNode(['CONFIG', 'SET', 'maxclients', '1']);
      expect(
        (await onEveryNode(['CLIENT', 'KILL', 'TYPE', 'pubsub']))
          .map(Number)
          .reduce((a, b) => a + b),
      ).toBeGreaterThan(0);
      await waitFor(() => errors >= 3, {
        timeout: 5_000,
        message: 'refused reconnection attempts',
      });
      expect(reconnects).toBe(0);
      for (const channel of channels) await transport.publish(channel, 'lost');

      await onEveryNode(['CONFIG', 'SET', 'maxclients', '10000']);
      await waitFor(() => reconnects >= 1, { timeout: 10_000, message: 'reconnect()' });
      await waitFor(
        () => received.filter((m) => m === 'in reconnect() 1').length === channels.length,
        {
          timeout: 5_000,
          message: 'every message published in the first reconnect()',
        },
      );
      expect(received.slice(0, channels.length)).toEqual(channels.map(() => 'before'));
      expect(received).not.toContain('lost');
    } finally {
      await onEveryNode(['CONFIG', 'SET', 'maxclients', '10000']);
      await transport.close();
      client.destroy();
    }
  }, 25_000);
}
