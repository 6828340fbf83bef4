import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  channel,
  channelPattern,
  createBus,
  type Gap,
  type Message,
  memoryTransport,
  type StreamItem,
  TransportError,
} from '../src/index.js';
import { cluster, disposeAll, type Node, turn, waitFor } from './helpers.js';

let nodes: Node[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await disposeAll(nodes);
  nodes = [];
});

const messages = (items: readonly StreamItem<number>[]): number[] =>
  items.flatMap((item) => (item.kind === 'message' ? [item.data] : []));

describe('streams', () => {
  it('iterates messages with for await; break unsubscribes and leaves nothing behind', async () => {
    // Fake timers so that any timer the bus or stream created would be counted.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    const resourcesBefore = process.getActiveResourcesInfo().length;
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const controller = new AbortController();
    const ch = channel<number>('events', 'fleet');
    const stream = b.bus.stream(ch, { signal: controller.signal });
    await stream.ready;
    expect(b.transport.channels.has(ch)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);

    const producer = (async () => {
      for (let i = 1; i <= 10; i++) await a.bus.publish(ch, 'tick', i);
    })();
    const got: number[] = [];
    for await (const item of stream) {
      if (item.kind === 'message') got.push(item.data);
      if (got.length === 3) break;
    }
    await producer;
    expect(got).toEqual([1, 2, 3]);
    expect(stream.closed).toBe(true);
    expect(b.transport.channels.size).toBe(0);
    expect(b.bus.stats()).toMatchObject({ channels: 0, patterns: 0, listeners: 0, streams: 0 });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(resourcesBefore);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('resolves a pending next() with done when the stream is closed, aborted or the bus disposed', async () => {
    nodes = cluster(1);
    const [{ bus }] = nodes as [Node];
    const closed = bus.stream('a');
    const pendingClose = closed.next();
    await closed.close();
    expect(await pendingClose).toEqual({ done: true, value: undefined });

    const controller = new AbortController();
    const aborted = bus.stream('b', { signal: controller.signal });
    await aborted.ready;
    const pendingAbort = aborted.next();
    controller.abort();
    expect(await pendingAbort).toEqual({ done: true, value: undefined });
    await waitFor(() => bus.stats().channels === 0, 'the aborted stream to release');

    const disposed = bus.stream(channelPattern('c', '*'));
    await disposed.ready;
    const pendingDispose = disposed.next();
    await bus.dispose();
    expect(await pendingDispose).toEqual({ done: true, value: undefined });
    expect(bus.stats()).toMatchObject({ listeners: 0, streams: 0 });

    const early = new AbortController();
    early.abort();
    const bus2 = createBus({ transport: memoryTransport() });
    const never = bus2.stream('d', { signal: early.signal });
    expect(await never.next()).toEqual({ done: true, value: undefined });
    expect(bus2.stats()).toMatchObject({ channels: 0, streams: 0 });
    await bus2.dispose();
  });

  it('buffers while the consumer is busy and drops the oldest by default, counted and marked', async () => {
    nodes = cluster(1);
    const [{ bus }] = nodes as [Node];
    const drops: Array<[number, number]> = [];
    const stream = bus.stream<number>('c', {
      maxBuffer: 3,
      onDrop: (message, dropped) => drops.push([message.data, dropped]),
    });
    await stream.ready;
    for (let i = 1; i <= 6; i++) await bus.publish('c', 't', i);
    await waitFor(() => stream.dropped === 3, 'three drops');
    expect(stream.buffered).toBe(3);
    const items: StreamItem<number>[] = [];
    while (stream.buffered > 0) items.push((await stream.next()).value as StreamItem<number>);
    expect(items[0]).toMatchObject({ kind: 'gap', reason: 'overflow', channel: 'c', missed: 3 });
    expect(messages(items)).toEqual([4, 5, 6]);
    expect(drops).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(bus.stats().dropped).toBe(3);
    await stream.close();
  });

  it("drops the newest with overflow: 'drop-newest'", async () => {
    nodes = cluster(1);
    const [{ bus }] = nodes as [Node];
    const stream = bus.stream<number>('c', { maxBuffer: 2, overflow: 'drop-newest' });
    await stream.ready;
    for (let i = 1; i <= 5; i++) await bus.publish('c', 't', i);
    await waitFor(() => stream.dropped === 3, 'three drops');
    await bus.publish('c', 't', 6); // still full: dropped too
    await waitFor(() => stream.dropped === 4, 'four drops');
    const items: StreamItem<number>[] = [];
    while (stream.buffered > 0 || items.length < 3) {
      items.push((await stream.next()).value as StreamItem<number>);
    }
    expect(messages(items)).toEqual([1, 2]);
    expect(items[2]).toMatchObject({ kind: 'gap', reason: 'overflow', missed: 4 });
    expect(items).toHaveLength(3);
    // Reading made room again.
    await bus.publish('c', 't', 7);
    expect(await stream.next()).toMatchObject({ done: false, value: { kind: 'message', data: 7 } });
    await stream.close();
  });

  it('hands messages straight to a waiting consumer and keeps the buffer bounded under load', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const stream = b.bus.stream<number>('load', { maxBuffer: 16 });
    await stream.ready;
    const pending = stream.next();
    await a.bus.publish('load', 't', 0);
    expect(await pending).toMatchObject({ value: { data: 0 } });
    await Promise.all(Array.from({ length: 2_000 }, (_, i) => a.bus.publish('load', 't', i + 1)));
    await waitFor(() => stream.buffered === 16 && stream.dropped === 2_000 - 16, 'the flood');
    await stream.close();
    expect(stream.buffered).toBe(0);
  });

  it('ends with the subscription error when the transport refuses it', async () => {
    const transport = memoryTransport();
    vi.spyOn(transport, 'subscribe').mockRejectedValueOnce(new Error('NOPERM'));
    const bus = createBus({ transport });
    const stream = bus.stream('c');
    await expect(stream.ready).rejects.toBeInstanceOf(TransportError);
    await expect(stream.next()).rejects.toBeInstanceOf(TransportError);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await waitFor(() => bus.stats().streams === 0, 'the failed stream to go');
    expect(bus.stats()).toMatchObject({ channels: 0, listeners: 0 });
    await bus.dispose();
  });

  it('yields a gap item on reconnect, in order with the messages', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const stream = b.bus.stream<number>('c');
    await stream.ready;
    await a.bus.publish('c', 't', 1);
    await waitFor(() => stream.buffered === 1, 'first message');
    b.transport.testing.simulateReconnect();
    await waitFor(() => b.bus.stats().reconnects === 1, 'the reconnect');
    await a.bus.publish('c', 't', 2);
    const items = [await stream.next(), await stream.next(), await stream.next()].map(
      (r) => r.value,
    );
    expect(items[0]).toMatchObject({ kind: 'message', data: 1 });
    expect(items[1]).toMatchObject({
      kind: 'gap',
      reason: 'reconnect',
      missed: undefined,
    } satisfies Partial<Gap>);
    expect(items[2]).toMatchObject({ kind: 'message', data: 2 } satisfies Partial<Message<number>>);
    await stream.close();
    await turn();
  });
});
