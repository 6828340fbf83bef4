import { randomUUID } from 'node:crypto';
import { type Cache, createCache, memoryStore, type Store } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { type Bus, createBus, type MemoryTransport, memoryHub } from '@cachekit/pubsub';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpHub, type McpHub } from '../src/index.js';
import {
  type Connection,
  configUri,
  connect,
  FleetSource,
  MINER_ID,
  registerFleet,
  SUMMARY_URI,
  statusUri,
  text,
  until as untilWithin,
} from './helpers.js';

const until = (check: () => boolean, description: string): Promise<true> =>
  untilWithin(check, description, 5_000);

interface Instance {
  readonly hub: McpHub;
  readonly cache: Cache;
  readonly bus: Bus;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

/** One "process": its own cache (on the shared store), bus and hub. */
async function instance(
  store: Store,
  bus: Bus,
  channel?: string,
  namespace = 'fleet',
): Promise<Instance> {
  const cache = createCache({ store, namespace });
  const hub = createMcpHub({ cache, bus, ...(channel === undefined ? {} : { channel }) });
  cleanup.push(async () => {
    await hub.close();
    await cache.close();
    await bus.dispose();
  });
  await hub.ready();
  return { hub, cache, bus };
}

async function client(at: Instance, source: FleetSource): Promise<Connection> {
  const connection = await connect(at.hub, (session) => registerFleet(session, source));
  cleanup.push(() => connection.close());
  return connection;
}

describe('two instances on one bus and one store', () => {
  it('a change announced on A notifies the subscriber on B once, and B reads the new value', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const transports: MemoryTransport[] = [buses.transport(), buses.transport()];
    const [ta, tb] = transports as [MemoryTransport, MemoryTransport];
    const a = await instance(store, createBus({ transport: ta }));
    const b = await instance(store, createBus({ transport: tb }));
    const source = new FleetSource();
    const onA = await client(a, source);
    const onB = await client(b, source);

    expect(text(await onB.client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 100,
    });
    await onB.client.subscribeResource({ uri: statusUri('m1') });
    await onB.client.subscribeResource({ uri: statusUri('m2') });
    // A's own session too: its notification comes locally, never a second time via the bus echo.
    await onA.client.subscribeResource({ uri: statusUri('m1') });
    await onA.client.subscribeResource({ uri: statusUri('m2') });
    source.status.set('m1', { hashrate: 555, changedAt: '2024-05-04T00:00:00.000Z' });
    await a.hub.resourceUpdated(statusUri('m1'));
    await until(() => onB.updates.length === 1, 'the notification on B');
    await a.hub.resourceUpdated(statusUri('m2'));
    await until(
      () => onB.updates.length >= 2 && onA.updates.length >= 2,
      'the second notification on A and B',
    );
    expect(onB.updates).toEqual([statusUri('m1'), statusUri('m2')]);
    expect(onA.updates).toEqual([statusUri('m1'), statusUri('m2')]);
    expect(text(await onB.client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 555,
    });
    expect(b.hub.stats().received).toBe(2);
  });

  it('update_miner_config through A notifies the subscriber on B; B reads the new config and summary', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const onA = await client(a, source);
    const onB = await client(b, source);
    await onB.client.readResource({ uri: configUri('m2') });
    await onB.client.readResource({ uri: SUMMARY_URI });
    await onB.client.subscribeResource({ uri: configUri('m2') });
    await onA.client.subscribeResource({ uri: SUMMARY_URI });
    await onA.client.callTool({
      name: 'update_miner_config',
      arguments: { minerId: 'm2', fanSpeed: 10 },
    });
    await until(() => onB.updates.length === 1 && onA.updates.length === 1, 'both notifications');
    expect(onB.updates).toEqual([configUri('m2')]);
    expect(onA.updates).toEqual([SUMMARY_URI]);
    expect(text(await onB.client.readResource({ uri: configUri('m2') }))).toEqual({ fanSpeed: 10 });
    expect(text(await onB.client.readResource({ uri: SUMMARY_URI }))).toMatchObject({
      fans: [50, 10, 50],
    });
  });

  it('list_changed fans out to the sessions of every instance', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const onA = await client(a, source);
    const onB = await client(b, source);
    await a.hub.resourceListChanged();
    await until(
      () => onA.listChanges.count === 1 && onB.listChanges.count === 1,
      'list_changed on both',
    );
  });

  it('after a bus gap (lost messages), every local subscriber is told to re-read', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const tb = buses.transport();
    await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: tb }));
    const onB = await client(b, new FleetSource());
    await onB.client.subscribeResource({ uri: statusUri('m3') });
    tb.testing.simulateReconnect();
    await until(() => onB.updates.length === 1, 'the resync notification');
    expect(onB.updates).toEqual([statusUri('m3')]);
  });

  it('ignores malformed announcements on the channel and keeps serving', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const rogue = createBus({ transport: buses.transport() });
    cleanup.push(() => rogue.dispose());
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const onB = await client(b, new FleetSource());
    await onB.client.subscribeResource({ uri: statusUri('m1') });
    const malformed: string[] = [];
    b.bus.on('malformed', (event) => malformed.push(String(event.reason)));
    await rogue.publish('mcp', 'resources.updated', { uris: 'everything' });
    await rogue.publish('mcp', 'something.else', {});
    await rogue.publish('mcp', 'resources.updated', { origin: 'rogue', uris: [statusUri('m1')] });
    await until(() => onB.updates.length === 1, 'the valid announcement');
    expect(malformed).toHaveLength(2);
  });
});

describe('canonical URIs across instances', () => {
  /** The miner status template with a lower-casing validator (`M1` and `m1` are one miner). */
  const lowerCased = (id: string): string | false => (MINER_ID.test(id) ? id.toLowerCase() : false);
  const statusTemplate = (): ResourceTemplate =>
    new ResourceTemplate('braiins:///miner/{minerId}/status', { list: undefined });
  const readStatus =
    (source: FleetSource) =>
    async (uri: URL, { minerId }: Variables): Promise<ReadResourceResult> => {
      source.calls.status++;
      const status = source.status.get(String(minerId));
      return { contents: [{ uri: uri.href, text: JSON.stringify(status ?? null) }] };
    };

  it('a receiver canonicalises what an instance without sessions announced, and invalidates it', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const onB = await connect(b.hub, (session) => {
      session.resource('miner-status', statusTemplate(), {}, readStatus(source), {
        variables: { minerId: lowerCased },
      });
    });
    cleanup.push(() => onB.close());
    await onB.client.subscribeResource({ uri: statusUri('m1') });
    await onB.client.readResource({ uri: statusUri('M1') });
    await onB.client.readResource({ uri: statusUri('m1') });
    expect(source.calls.status).toBe(1);

    // A has no session, so it knows no template: it announces the URI as given.
    await a.hub.resourceUpdated(statusUri('M1'));
    await until(() => onB.updates.length === 1, 'the notification on B');
    expect(onB.updates).toEqual([statusUri('m1')]);
    await onB.client.readResource({ uri: statusUri('m1') });
    expect(source.calls.status).toBe(2);
  });

  it('hub.resource() defines a resource once per process: the hub canonicalises before any session', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const spy = createBus({ transport: buses.transport() });
    cleanup.push(() => spy.dispose());
    const announced: unknown[] = [];
    await spy.subscribe('mcp', (message) => void announced.push(message.data));
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const options = { variables: { minerId: lowerCased } };
    a.hub.resource('miner-status', statusTemplate(), {}, readStatus(source), options);
    const status = b.hub.resource(
      'miner-status',
      statusTemplate(),
      {},
      readStatus(source),
      options,
    );
    const onB = await connect(b.hub, (session) => {
      session.resource(status);
    });
    cleanup.push(() => onB.close());
    await onB.client.subscribeResource({ uri: statusUri('%4D1') });
    await onB.client.readResource({ uri: statusUri('m1') });
    expect(source.calls.status).toBe(1);

    await a.hub.resourceUpdated(statusUri('M1'));
    await until(() => onB.updates.length === 1, 'the notification on B');
    expect(onB.updates).toEqual([statusUri('%4D1')]);
    expect(announced).toEqual([{ origin: a.hub.id, uris: [statusUri('m1')] }]);
    await onB.client.readResource({ uri: statusUri('M1') });
    expect(source.calls.status).toBe(2);
  });
});

describe('two instances on real Redis', () => {
  it('a change on A reaches the subscriber on B through Redis pub/sub; B reads the new value', async () => {
    const { standalone } = redisFromInject();
    const clients = [new Redis(standalone.url), new Redis(standalone.url)];
    cleanup.push(async () => {
      await Promise.all(clients.map((redis) => redis.quit()));
    });
    const [ra, rb] = clients as [Redis, Redis];
    const channel = `mcp-test-${randomUUID()}`;
    const namespace = `t${randomUUID().slice(0, 8)}`;
    const storeA = ioredisStore({ client: ra });
    const storeB = ioredisStore({ client: rb });
    // A fresh root namespace per run: entries of an earlier run can never be hits here.
    const a = await instance(
      storeA,
      createBus({ transport: ioredisTransport({ client: ra }) }),
      channel,
      namespace,
    );
    const b = await instance(
      storeB,
      createBus({ transport: ioredisTransport({ client: rb }) }),
      channel,
      namespace,
    );
    const source = new FleetSource();
    const onB = await client(b, source);
    expect(text(await onB.client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 100,
    });
    expect(text(await onB.client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 100,
    });
    expect(source.calls.status).toBe(1);
    await onB.client.subscribeResource({ uri: statusUri('m1') });
    source.status.set('m1', { hashrate: 777, changedAt: '2024-05-05T00:00:00.000Z' });
    await a.hub.resourceUpdated(statusUri('m1'));
    await until(() => onB.updates.length === 1, 'the notification through Redis');
    expect(text(await onB.client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 777,
    });
    expect(source.calls.status).toBe(2);
  });

  it('update_miner_config through A on Redis (ioredisStore + ioredisTransport): subscribers on A and B each notified once', async () => {
    const { standalone } = redisFromInject();
    const clients = [new Redis(standalone.url), new Redis(standalone.url)];
    cleanup.push(async () => {
      await Promise.all(clients.map((redis) => redis.quit()));
    });
    const [ra, rb] = clients as [Redis, Redis];
    const channel = `mcp-test-${randomUUID()}`;
    const namespace = `t${randomUUID().slice(0, 8)}`;
    const a = await instance(
      ioredisStore({ client: ra }),
      createBus({ transport: ioredisTransport({ client: ra }) }),
      channel,
      namespace,
    );
    const b = await instance(
      ioredisStore({ client: rb }),
      createBus({ transport: ioredisTransport({ client: rb }) }),
      channel,
      namespace,
    );
    const source = new FleetSource();
    const onA = await client(a, source);
    const onB = await client(b, source);
    expect(text(await onB.client.readResource({ uri: configUri('m2') }))).toEqual({ fanSpeed: 50 });
    expect(text(await onB.client.readResource({ uri: SUMMARY_URI }))).toMatchObject({
      fans: [50, 50, 50],
    });
    for (const uri of [SUMMARY_URI, statusUri('m2')]) await onA.client.subscribeResource({ uri });
    for (const uri of [configUri('m2'), SUMMARY_URI, statusUri('m2'), statusUri('m3')]) {
      await onB.client.subscribeResource({ uri });
    }

    const result = await onA.client.callTool({
      name: 'update_miner_config',
      arguments: { minerId: 'm2', fanSpeed: 10 },
    });
    expect(result.isError).toBeFalsy();
    await until(
      () => onA.updates.length === 1 && onB.updates.length === 2,
      'the notifications on A and B',
    );
    expect(text(await onB.client.readResource({ uri: configUri('m2') }))).toEqual({ fanSpeed: 10 });
    expect(text(await onB.client.readResource({ uri: SUMMARY_URI }))).toMatchObject({
      fans: [50, 10, 50],
    });
    // Redis delivers one channel's messages in publish order: had A not skipped the echo of its
    // own announcement, the duplicate would reach A before B's later change, and likewise for B.
    await b.hub.resourceUpdated(statusUri('m2'));
    await until(() => onA.updates.length === 2, "B's change on A");
    await a.hub.resourceUpdated(statusUri('m3'));
    await until(() => onB.updates.length === 4, "A's change on B");
    expect(onA.updates).toEqual([SUMMARY_URI, statusUri('m2')]);
    expect(onB.updates.slice(0, 2).sort()).toEqual([SUMMARY_URI, configUri('m2')].sort());
    expect(onB.updates.slice(2)).toEqual([statusUri('m2'), statusUri('m3')]);
    expect(a.hub.stats()).toMatchObject({ received: 1, notifyErrors: 0 });
    expect(b.hub.stats()).toMatchObject({ received: 2, notifyErrors: 0 });
  });
});
