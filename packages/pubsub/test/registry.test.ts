import { ClosedError, UnsupportedError } from '@cachekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Bus,
  type BusErrorEvent,
  channel,
  channelPattern,
  createBus,
  HandlerError,
  type Message,
  memoryTransport,
  TransportError,
} from '../src/index.js';
import { cluster, disposeAll, type Node, turn, waitFor } from './helpers.js';

let nodes: Node[] = [];
afterEach(async () => {
  await disposeAll(nodes);
  nodes = [];
});

function spied(node: Node) {
  return {
    subscribe: vi.spyOn(node.transport, 'subscribe'),
    unsubscribe: vi.spyOn(node.transport, 'unsubscribe'),
    psubscribe: vi.spyOn(node.transport, 'psubscribe'),
    punsubscribe: vi.spyOn(node.transport, 'punsubscribe'),
  };
}

describe('handler registry', () => {
  it('subscribes a channel once however many handlers, and releases it with the last one', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const calls = spied(b);
    const status = channel<{ up: boolean }>('events', 'miner', 7, 'status');
    const seen: string[] = [];
    const subscriptions = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        b.bus.subscribe(status, (message) => {
          seen.push(`${i}:${message.data.up}`);
        }),
      ),
    );
    expect(calls.subscribe).toHaveBeenCalledTimes(1);
    expect(b.transport.channels).toEqual(new Set([status]));
    expect(b.bus.stats()).toMatchObject({ channels: 1, listeners: 5 });

    await a.bus.publish(status, 'status', { up: true });
    await waitFor(() => seen.length === 5, 'five deliveries');
    expect(seen.sort()).toEqual(['0:true', '1:true', '2:true', '3:true', '4:true']);

    for (const subscription of subscriptions.slice(0, 4)) await subscription.unsubscribe();
    expect(calls.unsubscribe).not.toHaveBeenCalled();
    expect(b.transport.channels.size).toBe(1);
    await subscriptions[4]?.unsubscribe();
    await subscriptions[4]?.unsubscribe(); // idempotent
    expect(calls.unsubscribe).toHaveBeenCalledTimes(1);
    expect(b.transport.channels.size).toBe(0);
    expect(b.bus.stats()).toMatchObject({ channels: 0, patterns: 0, listeners: 0 });
  });

  it('serialises racing subscribe/unsubscribe so the transport ends in the registry state', async () => {
    nodes = cluster(1);
    const [node] = nodes as [Node];
    const calls = spied(node);
    const ch = channel('race');
    for (let round = 0; round < 20; round++) {
      const first = node.bus.subscribe(ch, () => {});
      const second = node.bus.subscribe(ch, () => {});
      const [s1, s2] = await Promise.all([first, second]);
      const releasing = Promise.all([s1.unsubscribe(), s2.unsubscribe()]);
      const third = node.bus.subscribe(ch, () => {}); // arrives while releasing
      await releasing;
      const s3 = await third;
      expect(node.transport.channels.has(ch)).toBe(true);
      await s3.unsubscribe();
      expect(node.transport.channels.has(ch)).toBe(false);
    }
    expect(node.bus.stats()).toMatchObject({ channels: 0, listeners: 0 });
    // Never two subscribes in a row without an unsubscribe between them.
    expect(calls.subscribe.mock.calls.length - calls.unsubscribe.mock.calls.length).toBe(0);
  });

  it('delivers pattern subscriptions with the pattern, refcounted like channels', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const calls = spied(b);
    const statuses = channelPattern<number>('events', 'miner', '*', 'status');
    const got: Message<number>[] = [];
    const s1 = await b.bus.subscribe(statuses, (message) => {
      got.push(message);
    });
    const s2 = await b.bus.subscribe(statuses, () => {});
    expect(calls.psubscribe).toHaveBeenCalledTimes(1);
    expect(b.transport.patterns).toEqual(new Set(['events:miner:*:status']));

    await a.bus.publish(channel('events', 'miner', 'x*y', 'status'), 'status', 1);
    await a.bus.publish(channel('events', 'miner', 2, 'config'), 'config', 2); // no match
    await a.bus.publish(channel('events', 'miner', 3, 'status'), 'status', 3);
    await waitFor(() => got.length === 2, 'two pattern matches');
    await turn();
    expect(got.map((m) => [m.channel, m.pattern, m.data])).toEqual([
      ['events:miner:x%2Ay:status', 'events:miner:*:status', 1],
      ['events:miner:3:status', 'events:miner:*:status', 3],
    ]);
    await s1.unsubscribe();
    await s2.unsubscribe();
    expect(calls.punsubscribe).toHaveBeenCalledTimes(1);
    expect(b.transport.patterns.size).toBe(0);
    expect(b.bus.stats().patterns).toBe(0);
  });

  it('delivers to the publisher too, in publish order, with seq per (source, channel)', async () => {
    nodes = cluster(1);
    const [{ bus }] = nodes as [Node];
    const got: Array<[string, number]> = [];
    await bus.subscribe(channelPattern('c', '*'), (m) => {
      got.push([m.channel, m.seq]);
    });
    for (const name of ['a', 'b', 'a', 'a', 'b']) await bus.publish(channel('c', name), 't', null);
    await waitFor(() => got.length === 5, 'five messages');
    expect(got).toEqual([
      ['c:a', 1],
      ['c:b', 1],
      ['c:a', 2],
      ['c:a', 3],
      ['c:b', 2],
    ]);
  });

  it('isolates a throwing or rejecting handler, reports it, and keeps delivering to the others', async () => {
    nodes = cluster(1);
    const [{ bus }] = nodes as [Node];
    const errors: BusErrorEvent[] = [];
    bus.on('error', (event) => errors.push(event));
    const good: number[] = [];
    await bus.subscribe<number>('c', () => {
      throw new Error('sync boom');
    });
    await bus.subscribe<number>('c', async () => {
      throw new Error('async boom');
    });
    await bus.subscribe<number>('c', (m) => {
      good.push(m.data);
    });
    await bus.publish('c', 't', 1);
    await bus.publish('c', 't', 2);
    await waitFor(() => good.length === 2 && errors.length === 4, 'deliveries and reports');
    expect(good).toEqual([1, 2]);
    expect(errors.every((e) => e.operation === 'handler' && e.error instanceof HandlerError)).toBe(
      true,
    );
    expect(errors.map((e) => (e.error.cause as Error).message).sort()).toEqual([
      'async boom',
      'async boom',
      'sync boom',
      'sync boom',
    ]);
    expect(bus.stats().handlerErrors).toBe(4);
  });

  it('rejects a failed transport subscribe with TransportError and leaves no registration', async () => {
    const transport = memoryTransport();
    const bus = createBus({ transport });
    vi.spyOn(transport, 'subscribe').mockRejectedValueOnce(new Error('connection reset'));
    const error = await bus.subscribe('c', () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('E_TRANSPORT');
    expect((error as TransportError).cause).toBeInstanceOf(Error);
    await waitFor(() => bus.stats().channels === 0, 'the entry to go');
    expect(bus.stats().listeners).toBe(0);
    // The next subscription retries.
    const ok = await bus.subscribe('c', () => {});
    expect(transport.channels.has('c')).toBe(true);
    await ok.unsubscribe();
    await bus.dispose();
  });

  it('refuses patterns on a transport without them, and everything after dispose', async () => {
    const inner = memoryTransport();
    const sharded = Object.assign(Object.create(inner) as typeof inner, {
      capabilities: { patterns: false, local: true },
    });
    const bus: Bus = createBus({ transport: sharded });
    await expect(bus.subscribe(channelPattern('a', '*'), () => {})).rejects.toBeInstanceOf(
      UnsupportedError,
    );
    expect(() => bus.stream(channelPattern('a', '*'))).toThrow(UnsupportedError);
    await bus.dispose();
    await expect(bus.subscribe('a', () => {})).rejects.toBeInstanceOf(ClosedError);
    await expect(bus.publish('a', 't', 1)).rejects.toBeInstanceOf(ClosedError);
    expect(() => bus.stream('a')).toThrow(ClosedError);
  });

  it('disposes: releases everything, closes the transport it connected, and only that', async () => {
    nodes = cluster(1);
    const [{ bus, transport }] = nodes as [Node];
    const close = vi.spyOn(transport, 'close');
    await bus.subscribe('a', () => {});
    await bus.subscribe(channelPattern('b', '*'), () => {});
    const stream = bus.stream('c');
    await stream.ready;
    bus.on('gap', () => {});
    expect(bus.stats()).toMatchObject({ channels: 2, patterns: 1, listeners: 3, streams: 1 });
    await bus.dispose();
    await bus.dispose();
    expect(close).toHaveBeenCalledTimes(1);
    expect(transport.connected).toBe(false);
    expect(transport.channels.size + transport.patterns.size).toBe(0);
    expect(bus.stats()).toMatchObject({
      channels: 0,
      patterns: 0,
      listeners: 0,
      streams: 0,
      eventListeners: 0,
    });
    expect(await stream.next()).toEqual({ done: true, value: undefined });

    const unused = memoryTransport();
    const neverConnected = vi.spyOn(unused, 'close');
    await createBus({ transport: unused }).dispose();
    expect(neverConnected).not.toHaveBeenCalled();
  });
});
