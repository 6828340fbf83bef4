import { createCache, definePolicy, EVENT_DRIVEN, memoryStore } from '@cachekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheSync, publishEvent } from '../src/index.js';
import { cluster, type Node } from './helpers.js';

/** Caches with their own L1 on one shared store, each linked to its own bus: separate "processes". */
function processes(count: number) {
  const store = memoryStore();
  const nodes = cluster(count);
  const caches = nodes.map((node) => createCache({ store, l1: true, sync: cacheSync(node.bus) }));
  return { store, nodes, caches };
}

let open: { nodes: Node[]; caches: ReturnType<typeof createCache>[] } | undefined;
afterEach(async () => {
  if (open === undefined) return;
  await Promise.all(open.caches.map((cache) => cache.close()));
  await Promise.all(open.nodes.map((node) => node.bus.dispose()));
  open = undefined;
});

describe('L1 kept in sync through the bus', () => {
  it('a delete in one process drops the L1 copy in all the others', async () => {
    open = processes(4);
    const [writer, ...readers] = open.caches as [
      ReturnType<typeof createCache>,
      ...ReturnType<typeof createCache>[],
    ];
    await Promise.all(open.caches.map((cache) => cache.ready()));
    let version = 1;
    for (const cache of open.caches) expect(await cache.getOrSet('k', async () => version)).toBe(1);
    version = 2;
    await writer.delete('k');
    for (const reader of readers) {
      await vi.waitFor(async () => expect(await reader.getOrSet('k', async () => version)).toBe(2));
    }
  });

  it('a lost message followed by a reconnect gap flushes L1: no stale read after the gap', async () => {
    open = processes(2);
    const [a, b] = open.caches as [ReturnType<typeof createCache>, ReturnType<typeof createCache>];
    const [nodeA] = open.nodes as [Node, Node];
    await a.ready();
    await b.ready();
    await a.set('k', 'v1');
    expect(await a.get('k')).toBe('v1');
    nodeA.transport.testing.dropNext(2); // a change is announced twice: lose both
    await b.set('k', 'v2');
    expect(await a.get('k')).toBe('v1'); // the message was lost: A does not know yet
    nodeA.transport.testing.simulateReconnect();
    await vi.waitFor(async () => expect(await a.get('k')).toBe('v2'));
  });

  it('domain events published on the bus invalidate EVENT_DRIVEN entries in the other processes', async () => {
    open = processes(3);
    const policy = definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] });
    let version = 1;
    const definitions = open.caches.map((cache) =>
      cache.define({ load: async () => version, policy }),
    );
    await Promise.all(open.caches.map((cache) => cache.ready()));
    for (const definition of definitions) expect(await definition.get('m-1')).toBe(1);
    version = 2;
    const [publisherNode] = open.nodes as [Node];
    await publishEvent(publisherNode.bus, 'miner.config.updated', { minerId: 'm-1' });
    for (const definition of definitions.slice(1)) {
      await vi.waitFor(async () => expect(await definition.get('m-1')).toBe(2));
    }
  });
});
