import {
  type CacheSync,
  type InvalidationMessage,
  InvalidOptionError,
  InvalidPolicyError,
  type SyncListener,
} from '@cachekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cacheSync,
  eventChannel,
  type MalformedEvent,
  publishEvent,
  syncChannel,
  TransportError,
} from '../src/index.js';
import { cluster, disposeAll, type Node, turn, waitFor } from './helpers.js';

let nodes: Node[] = [];
afterEach(async () => {
  await disposeAll(nodes);
  nodes = [];
});

/** A SyncListener that records what it receives. */
function recorder() {
  const log = {
    invalidations: [] as InvalidationMessage[],
    gaps: 0,
    events: [] as Array<[string, unknown]>,
  };
  const listener: SyncListener = {
    invalidate: (message) => log.invalidations.push(message),
    gap: () => {
      log.gaps++;
    },
    event: (name, payload) => log.events.push([name, payload]),
  };
  return { log, listener };
}

describe('cacheSync', () => {
  it('two caches sharing one bus hear each other (each cacheSync has its own id)', async () => {
    nodes = cluster(1);
    const [node] = nodes as [Node];
    const first = { sync: cacheSync(node.bus), ...recorder() };
    const second = { sync: cacheSync(node.bus), ...recorder() };
    await first.sync.listen(first.listener, []);
    await second.sync.listen(second.listener, []);
    await first.sync.publish({ keys: ['v1:a:k'] });
    await waitFor(() => second.log.invalidations.length === 1, 'the other cache to hear it');
    await turn();
    expect(first.log.invalidations).toEqual([]);
    expect(second.log.invalidations).toEqual([{ keys: ['v1:a:k'] }]);
  });

  it('delivers invalidations to every other process, never back to the sender', async () => {
    nodes = cluster(3);
    const processes = nodes.map((node) => ({
      node,
      sync: cacheSync(node.bus, { namespace: 'fleet' }),
      ...recorder(),
    }));
    const [p0, p1, p2] = processes as [
      (typeof processes)[0],
      (typeof processes)[0],
      (typeof processes)[0],
    ];
    const stops = await Promise.all(processes.map((p) => p.sync.listen(p.listener, [])));
    expect(processes.map((p) => p.sync.instanceId.split(':')[0])).toEqual([
      'node-0',
      'node-1',
      'node-2',
    ]);
    expect(p1.node.transport.channels.has('cachekit:sync:fleet')).toBe(true);

    await p0.sync.publish({ keys: ['v1:fleet:miner:7'], tags: ['__ck:v1:fleet:t:fleet'] });
    await p2.sync.publish({ flush: true });
    await waitFor(
      () => p1.log.invalidations.length === 2 && p0.log.invalidations.length === 1,
      'invalidations',
    );
    await turn();
    expect(p0.log.invalidations).toEqual([{ flush: true }]);
    expect(p1.log.invalidations).toEqual([
      { keys: ['v1:fleet:miner:7'], tags: ['__ck:v1:fleet:t:fleet'] },
      { flush: true },
    ]);
    expect(p2.log.invalidations).toEqual([
      { keys: ['v1:fleet:miner:7'], tags: ['__ck:v1:fleet:t:fleet'] },
    ]);
    await Promise.all(stops.map((stop) => stop()));
    expect(nodes.map((node) => node.bus.stats().listeners)).toEqual([0, 0, 0]);
  });

  it('keeps namespaces apart and accepts an explicit channel', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const other = recorder();
    const custom = recorder();
    await cacheSync(b.bus, { namespace: 'other' }).listen(other.listener, []);
    await cacheSync(b.bus, { channel: 'my:sync' }).listen(custom.listener, []);
    await cacheSync(a.bus, { namespace: 'fleet' }).publish({ keys: ['k'] });
    await cacheSync(a.bus, { channel: 'my:sync' }).publish({ patterns: ['v1:fleet:*'] });
    await waitFor(() => custom.log.invalidations.length === 1, 'the custom channel');
    await turn();
    expect(other.log.invalidations).toEqual([]);
    expect(custom.log.invalidations).toEqual([{ patterns: ['v1:fleet:*'] }]);
    expect(syncChannel('a:b')).toBe('cachekit:sync:a%3Ab');
  });

  it('forwards domain events from others on events:<name>, not its own', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const ra = recorder();
    const rb = recorder();
    await cacheSync(a.bus).listen(ra.listener, ['miner.config.updated']);
    await cacheSync(b.bus).listen(rb.listener, ['miner.config.updated', 'fleet.changed']);
    expect(b.transport.channels).toEqual(
      new Set(['cachekit:sync:default', 'events:miner.config.updated', 'events:fleet.changed']),
    );
    await publishEvent(a.bus, 'miner.config.updated', { minerId: 7 });
    await publishEvent(a.bus, 'fleet.changed');
    await publishEvent(b.bus, 'miner.config.updated', { minerId: 8 });
    await waitFor(() => rb.log.events.length === 2 && ra.log.events.length === 1, 'events');
    await turn();
    expect(rb.log.events).toEqual([
      ['miner.config.updated', { minerId: 7 }],
      ['fleet.changed', null],
    ]);
    expect(ra.log.events).toEqual([['miner.config.updated', { minerId: 8 }]]);
    expect(eventChannel('miner.config.updated')).toBe('events:miner.config.updated');
    expect(() => eventChannel('bad name*')).toThrow(InvalidPolicyError);
    await expect(cacheSync(a.bus).listen(ra.listener, ['no spaces'])).rejects.toBeInstanceOf(
      InvalidPolicyError,
    );
  });

  it('forwards gaps: reconnects, and sequence skips on its channels only (not its own messages)', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const sync: CacheSync = cacheSync(b.bus);
    const { log, listener } = recorder();
    await sync.listen(listener, ['miner.config.updated']);
    await b.bus.subscribe('unrelated', () => {});

    b.transport.testing.simulateReconnect();
    await waitFor(() => log.gaps === 1, 'the reconnect gap');

    const sender = cacheSync(a.bus);
    await sender.publish({ keys: ['1'] });
    b.transport.testing.dropNext(1);
    await sender.publish({ keys: ['2'] });
    await sender.publish({ keys: ['3'] });
    await waitFor(() => log.invalidations.length === 2 && log.gaps === 2, 'the sequence gap');

    await publishEvent(a.bus, 'miner.config.updated', 1);
    b.transport.testing.dropNext(1);
    await publishEvent(a.bus, 'miner.config.updated', 2);
    await publishEvent(a.bus, 'miner.config.updated', 3);
    await waitFor(() => log.events.length === 2 && log.gaps === 3, 'the event gap');

    await a.bus.publish('unrelated', 't', 1);
    b.transport.testing.dropNext(1);
    await a.bus.publish('unrelated', 't', 2);
    await a.bus.publish('unrelated', 't', 3);
    await waitFor(() => b.bus.stats().gaps === 4, 'the unrelated gap');
    await turn();
    expect(log.gaps).toBe(3);
    expect(log.invalidations).toEqual([{ keys: ['1'] }, { keys: ['3'] }]);
  });

  it('reports an invalid invalidation as malformed and signals a gap; ignores unknown types', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const { log, listener } = recorder();
    const malformed: MalformedEvent[] = [];
    b.bus.on('malformed', (event) => malformed.push(event));
    await cacheSync(b.bus).listen(listener, []);
    // A raw string: the typed Channel<InvalidationMessage> would not let us send garbage.
    const channel: string = syncChannel('default');
    await a.bus.publish(channel, 'invalidate', { keys: 'not-an-array' });
    await a.bus.publish(channel, 'invalidate', 'nope');
    await a.bus.publish(channel, 'something-newer', { whatever: true });
    await a.bus.publish(channel, 'invalidate', { tags: ['t'], extra: 'ignored' });
    await waitFor(() => log.invalidations.length === 1, 'the valid invalidation');
    expect(log.invalidations).toEqual([{ tags: ['t'] }]);
    expect(log.gaps).toBe(2);
    expect(malformed.map((event) => event.reason)).toEqual([
      'invalidation "keys" is not an array of strings',
      'invalidation data is not an object',
    ]);
    expect(b.bus.stats().malformed).toBe(2);
    await expect(
      cacheSync(a.bus).publish({ keys: [1] } as unknown as InvalidationMessage),
    ).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('undoes partial subscriptions when listen fails', async () => {
    nodes = cluster(1);
    const [{ bus, transport }] = nodes as [Node];
    const original = transport.subscribe.bind(transport);
    vi.spyOn(transport, 'subscribe').mockImplementation(async (channels) => {
      if (channels.includes('events:bad.luck')) throw new Error('ACL denied');
      await original(channels);
    });
    const { listener } = recorder();
    await expect(cacheSync(bus).listen(listener, ['bad.luck'])).rejects.toBeInstanceOf(
      TransportError,
    );
    await waitFor(() => bus.stats().channels === 0, 'the release');
    expect(bus.stats()).toMatchObject({ listeners: 0, eventListeners: 0 });
    expect(transport.channels.size).toBe(0);
  });
});
