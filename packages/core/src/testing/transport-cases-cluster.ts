import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { UnsupportedError } from '../errors.js';
import { slotOf } from './slot.js';
import {
  anySubscriberNamed,
  killSubscribers,
  recorder,
  type TransportContext,
  type TransportSuite,
  uniqueName,
} from './transport-suite.js';
import type { TransportNode } from './transport-types.js';
import { waitFor } from './wait.js';

/** Received `[channel, message, pattern]` triples in message order (their arrival order may vary). */
function byMessage<T extends readonly [string, string, string | undefined]>(
  received: readonly T[],
): T[] {
  return [...received].sort((a, b) => a[1].localeCompare(b[1]));
}

/** A publish from inside reconnect() may fail while connections churn: the case waits for a later one. */
function ignorePublishFailure(): void {}

type SlotRange = [from: number, to: number, master: [host: string, port: number]];

/** The masters' ports, and a channel name whose slot each of them serves. */
async function channelPerMaster(
  ctx: TransportContext,
  label: string,
): Promise<{ ports: number[]; channels: string[] }> {
  const seed = ctx.nodes()[0] as TransportNode;
  const slots = (await ctx.command(seed, ['CLUSTER', 'SLOTS'])) as SlotRange[];
  const ports = [...new Set(slots.map(([, , [, port]]) => port))];
  const channels = ports.map((port) => {
    const ranges = slots.filter(([, , [, owner]]) => owner === port);
    for (let i = 0; ; i++) {
      const channel = `${label}:${i}`;
      const slot = slotOf(channel);
      if (ranges.some(([from, to]) => slot >= from && slot <= to)) return channel;
    }
  });
  return { ports, channels };
}

/** Shard-channel subscribers of `channel`, summed over every node. */
async function shardSubscribers(ctx: TransportContext, channel: string): Promise<number> {
  let total = 0;
  for (const node of ctx.nodes()) {
    const [, count] = (await ctx.command(node, ['PUBSUB', 'SHARDNUMSUB', channel])) as [
      string,
      number,
    ];
    total += count;
  }
  return total;
}

/** Sharded and classic pub/sub on a cluster shared with other tests (only named connections die). */
export function registerClusterTransportCases(suite: TransportSuite): void {
  suite.test(
    'sharded: a message published on each master slot reaches a subscriber transport',
    async (ctx) => {
      const { transport: publisher } = await ctx.create();
      const { transport: subscriber } = await ctx.create();
      assert.equal(subscriber.sharded, true);
      assert.equal(subscriber.capabilities.patterns, false);
      const seen = recorder();
      await Promise.all([
        publisher.connect(recorder().handlers),
        subscriber.connect(seen.handlers),
      ]);
      const seed = ctx.nodes()[0] as TransportNode;
      const { ports, channels } = await channelPerMaster(ctx, `ck:${randomUUID().slice(0, 8)}`);
      assert.equal(ports.length, 3);
      await subscriber.subscribe(channels);
      await assert.rejects(subscriber.psubscribe(['ck:*']), UnsupportedError);

      // Each channel is a shard channel subscribed on its own master, not a classic one.
      for (const [i, port] of ports.entries()) {
        const address = { host: seed.host, port };
        const channel = channels[i] as string;
        assert.deepEqual(await ctx.command(address, ['PUBSUB', 'SHARDNUMSUB', channel]), [
          channel,
          1,
        ]);
        assert.deepEqual(await ctx.command(address, ['PUBSUB', 'NUMSUB', channel]), [channel, 0]);
      }
      for (const channel of channels) await publisher.publish(channel, `to ${channel}`);
      await waitFor(() => seen.received.length === 3, { message: 'one message per master' });
      assert.deepEqual(
        seen.received.map(([c, m]) => [c, m]).sort(),
        channels.map((c) => [c, `to ${c}`]).sort(),
      );

      const [first, second] = channels as [string, string];
      await subscriber.unsubscribe([first]);
      await publisher.publish(first, 'late');
      await publisher.publish(second, 'marker');
      await waitFor(() => seen.messages(second).length === 2, { message: 'the marker' });
      assert.deepEqual(seen.messages(first), [`to ${first}`]);
      await Promise.all([publisher.close(), subscriber.close()]);
    },
  );

  suite.test(
    'sharded with a keyPrefix: resubscribes by itself after its connections are killed',
    async (ctx) => {
      const name = uniqueName();
      const keyPrefix = 'app:';
      const { transport } = await ctx.create({ connectionName: name, keyPrefix });
      const channels = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => `ck:${name}:${c}`);
      // Published from inside reconnect(): it only arrives if every subscription was back by then.
      const seen = recorder((count) => {
        for (const channel of channels)
          transport.publish(channel, `in reconnect() ${count}`).catch(ignorePublishFailure);
      });
      await transport.connect(seen.handlers);
      await transport.subscribe(channels);
      // The name on the wire is the driver's business; what is delivered is the name subscribed to.
      const wire = ctx.options.shardChannel?.(channels[0] as string, keyPrefix) ?? channels[0];
      assert.equal(await shardSubscribers(ctx, wire as string), 1);
      if (wire !== channels[0]) assert.equal(await shardSubscribers(ctx, channels[0] as string), 0);
      for (const channel of channels) await transport.publish(channel, 'before');
      await waitFor(() => seen.received.length === channels.length, {
        message: 'the first messages',
      });
      assert.deepEqual(
        seen.texts(),
        channels.map(() => 'before'),
      );

      assert.ok((await killSubscribers(ctx, name)) > 0, 'no subscriber connection to kill');
      // The kills go node by node, each followed by a reconnect(): the last one must deliver.
      await waitFor(
        () => {
          const last = `in reconnect() ${seen.reconnects()}`;
          return seen.reconnects() >= 1 && channels.every((c) => seen.messages(c).includes(last));
        },
        { timeout: 10_000, message: 'every message published in the last reconnect()' },
      );
      await transport.close();
    },
  );

  suite.test(
    'classic mode (sharded: false): channels, patterns and a killed connection',
    async (ctx) => {
      const name = uniqueName();
      const fixture = await ctx.create({ connectionName: name, sharded: false });
      const { transport } = fixture;
      assert.equal(transport.sharded, false);
      assert.equal(transport.capabilities.patterns, true);
      // Published from inside reconnect(): they only arrive if the subscriptions were back by then.
      const seen = recorder(() => {
        transport
          .publish(`ck:${name}:x`, '3')
          .then(() => transport.publish(`ck:${name}:p:2`, '4'))
          .catch(ignorePublishFailure);
      });
      await transport.connect(seen.handlers);
      await transport.subscribe([`ck:${name}:x`]);
      await transport.psubscribe([`ck:${name}:p:*`]);
      await transport.publish(`ck:${name}:x`, '1');
      await transport.publish(`ck:${name}:p:1`, '2');
      await waitFor(() => seen.received.length === 2, { message: 'both messages' });
      // Classic cluster pub/sub relays each PUBLISH over the cluster bus from the node that took
      // it: messages on different channels may arrive in either order.
      assert.deepEqual(byMessage(seen.received), [
        [`ck:${name}:x`, '1', undefined],
        [`ck:${name}:p:1`, '2', `ck:${name}:p:*`],
      ]);
      assert.equal(await killSubscribers(ctx, name), 1);
      await waitFor(() => seen.reconnects() === 1, { timeout: 5_000, message: 'reconnect()' });
      await waitFor(() => seen.received.length === 4, {
        message: 'the messages published in reconnect()',
      });
      assert.deepEqual(byMessage(seen.received.slice(2)), [
        [`ck:${name}:x`, '3', undefined],
        [`ck:${name}:p:2`, '4', `ck:${name}:p:*`],
      ]);
      await transport.close();
      await waitFor(async () => !(await anySubscriberNamed(ctx, name)), {
        message: 'no subscriber left',
      });
      await fixture.alive();
    },
  );
}
