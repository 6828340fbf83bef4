import { randomUUID } from 'node:crypto';
import { type TransportHandlers, UnsupportedError } from '@cachekit/core';
import { waitFor } from '@cachekit/core/testing';
import { ioredisTransport } from '@cachekit/ioredis';
import { type RedisAddress, sendCommand } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import calculateSlot from 'cluster-key-slot';
import { Cluster, type ClusterOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

// Transports on the run's shared cluster. Only this file's own pub/sub connections are killed,
// found by a unique connection name; tests that break nodes use a private cluster
// (transport-cluster-faults.test.ts).

type Received = [channel: string, message: string, pattern: string | undefined];

function recorder(onReconnect: (count: number) => void = () => {}) {
  const received: Received[] = [];
  const errors: Error[] = [];
  let reconnects = 0;
  const handlers: TransportHandlers = {
    message: (channel, message, pattern) => received.push([channel, message, pattern]),
    reconnect: () => {
      reconnects += 1;
      onReconnect(reconnects);
    },
    error: (error) => errors.push(error),
  };
  return {
    handlers,
    received,
    errors,
    reconnects: () => reconnects,
    messages: (channel: string) => received.filter(([c]) => c === channel).map(([, m]) => m),
  };
}

const tag = (): string => `ck-transport-${randomUUID().slice(0, 8)}`;

const opened: Array<{ disconnect(): void }> = [];

function cluster(options: ClusterOptions = {}): Cluster {
  const nodes = redisFromInject().cluster.map(({ host, port }) => ({ host, port }));
  const client = new Cluster(nodes, options as never);
  opened.push(client);
  return client;
}

afterEach(() => {
  for (const client of opened.splice(0)) client.disconnect();
});

/** `CLIENT LIST` entries of `address` whose name contains `name`, as field maps. */
async function clientsNamed(address: RedisAddress, name: string): Promise<Map<string, string>[]> {
  const list = await sendCommand(address, ['CLIENT', 'LIST']);
  return String(list)
    .split('\n')
    .filter((line) => line.includes(name))
    .map(
      (line) => new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string])),
    );
}

/** Kills this test's pub/sub connections (the shared servers' others are left alone). */
async function killSubscribers(addresses: readonly RedisAddress[], name: string): Promise<number> {
  let killed = 0;
  for (const address of addresses) {
    for (const entry of await clientsNamed(address, name)) {
      if (!(entry.get('flags') ?? '').includes('P')) continue;
      await sendCommand(address, ['CLIENT', 'KILL', 'ID', entry.get('id') ?? '']);
      killed += 1;
    }
  }
  return killed;
}

/** Shard-channel subscribers of `channel`, summed over every node. */
async function shardSubscribers(nodes: readonly RedisAddress[], channel: string): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    const [, count] = (await sendCommand(node, ['PUBSUB', 'SHARDNUMSUB', channel])) as [
      string,
      number,
    ];
    total += count;
  }
  return total;
}

/** A channel name whose slot is served by the master on `port`. */
async function channelOnNode(seed: RedisAddress, port: number, label: string): Promise<string> {
  const slots = (await sendCommand(seed, ['CLUSTER', 'SLOTS'])) as [
    number,
    number,
    [string, number],
  ][];
  const ranges = slots.filter(([, , [, owner]]) => owner === port);
  for (let i = 0; ; i++) {
    const channel = `${label}:${i}`;
    const slot = calculateSlot(channel);
    if (ranges.some(([from, to]) => slot >= from && slot <= to)) return channel;
  }
}

describe('ioredisTransport on a cluster', () => {
  it('sharded: a message published on each master slot reaches a subscriber transport', async () => {
    const { cluster: nodes } = redisFromInject();
    const publisher = ioredisTransport({ client: cluster() });
    const subscriber = ioredisTransport({ client: cluster() });
    expect(subscriber.sharded).toBe(true);
    expect(subscriber.capabilities.patterns).toBe(false);
    const seen = recorder();
    await Promise.all([publisher.connect(recorder().handlers), subscriber.connect(seen.handlers)]);
    const seed = nodes[0] as RedisAddress;
    const masters = (await sendCommand(seed, ['CLUSTER', 'SLOTS'])) as [
      number,
      number,
      [string, number],
    ][];
    const ports = [...new Set(masters.map(([, , [, port]]) => port))];
    expect(ports).toHaveLength(3);
    const id = randomUUID().slice(0, 8);
    const channels = await Promise.all(ports.map((port) => channelOnNode(seed, port, `ck:${id}`)));
    await subscriber.subscribe(channels);
    await expect(subscriber.psubscribe(['ck:*'])).rejects.toBeInstanceOf(UnsupportedError);

    // Each channel is a shard channel subscribed on its own master, not a classic one.
    for (const [i, port] of ports.entries()) {
      const address = { host: seed.host, port };
      const channel = channels[i] as string;
      expect(await sendCommand(address, ['PUBSUB', 'SHARDNUMSUB', channel])).toEqual([channel, 1]);
      expect(await sendCommand(address, ['PUBSUB', 'NUMSUB', channel])).toEqual([channel, 0]);
    }
    for (const channel of channels) await publisher.publish(channel, `to ${channel}`);
    await waitFor(() => seen.received.length === 3, { message: 'one message per master' });
    expect(seen.received.map(([c, m]) => [c, m]).sort()).toEqual(
      channels.map((c) => [c, `to ${c}`]).sort(),
    );

    await subscriber.unsubscribe([channels[0] as string]);
    await publisher.publish(channels[0] as string, 'late');
    await publisher.publish(channels[1] as string, 'marker');
    await waitFor(() => seen.messages(channels[1] as string).length === 2, {
      message: 'the marker',
    });
    expect(seen.messages(channels[0] as string)).toEqual([`to ${channels[0]}`]);
    await Promise.all([publisher.close(), subscriber.close()]);
  });

  it('sharded with a keyPrefix: resubscribes by itself after its connections are killed', async () => {
    const { cluster: nodes } = redisFromInject();
    const name = tag();
    const options = { redisOptions: { keyPrefix: 'app:', connectionName: name } };
    const transport = ioredisTransport({ client: cluster(options) });
    const channels = ['a', 'b', 'c', 'd'].map((c) => `ck:${name}:${c}`);
    // Published from inside reconnect(): it only arrives if every subscription was back by then.
    const seen = recorder((count) => {
      for (const channel of channels) void transport.publish(channel, `in reconnect() ${count}`);
    });
    await transport.connect(seen.handlers);
    await transport.subscribe(channels);
    // Prefixed on the wire (shard channels are keys to ioredis), not in what is delivered.
    expect(await shardSubscribers(nodes, `app:${channels[0]}`)).toBe(1);
    expect(await shardSubscribers(nodes, channels[0] as string)).toBe(0);
    for (const channel of channels) await transport.publish(channel, 'before');
    await waitFor(() => seen.received.length === 4, { message: 'the first messages' });

    expect(await killSubscribers(nodes, name)).toBeGreaterThan(0);
    // The kills go node by node, each followed by a reconnect(): the last one must deliver.
    await waitFor(
      () => {
        const last = `in reconnect() ${seen.reconnects()}`;
        return seen.reconnects() >= 1 && channels.every((c) => seen.messages(c).includes(last));
      },
      { timeout: 10_000, message: 'every message published in the last reconnect()' },
    );
    await transport.close();
  }, 20_000);

  it('classic mode (sharded: false) on a cluster: channels, patterns and a killed connection', async () => {
    const { cluster: nodes } = redisFromInject();
    const name = tag();
    const client = cluster({ redisOptions: { connectionName: name } });
    const transport = ioredisTransport({ client, sharded: false });
    expect(transport.capabilities.patterns).toBe(true);
    const seen = recorder();
    await transport.connect(seen.handlers);
    await transport.subscribe([`ck:${name}:x`]);
    await transport.psubscribe([`ck:${name}:p:*`]);
    await transport.publish(`ck:${name}:x`, '1');
    await transport.publish(`ck:${name}:p:1`, '2');
    await waitFor(() => seen.received.length === 2, { message: 'both messages' });
    expect(seen.received).toEqual([
      [`ck:${name}:x`, '1', undefined],
      [`ck:${name}:p:1`, '2', `ck:${name}:p:*`],
    ]);
    expect(await killSubscribers(nodes, name)).toBe(1);
    await waitFor(() => seen.reconnects() === 1, { timeout: 5_000, message: 'reconnect()' });
    await transport.publish(`ck:${name}:x`, '3');
    await transport.publish(`ck:${name}:p:2`, '4');
    await waitFor(() => seen.received.length === 4, { message: 'messages after the kill' });
    await transport.close();
    await waitFor(
      async () =>
        (await Promise.all(nodes.map((n) => clientsNamed(n, name))))
          .flat()
          .every((entry) => !(entry.get('flags') ?? '').includes('P')),
      { message: 'no subscriber left' },
    );
    await expect(client.set(`ck:${name}`, '1', 'PX', 1000)).resolves.toBe('OK');
  });
});
