import { type CacheError, createCache, memoryStore, type Store } from '@cachekit/core';
import { type Bus, createBus, memoryHub } from '@cachekit/pubsub';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpHub, type McpHub, McpNotifyError } from '../src/index.js';
import {
  type Connection,
  configUri,
  connect,
  FleetSource,
  registerFleet,
  SUMMARY_URI,
  statusUri,
  text,
  until as untilWithin,
} from './helpers.js';

const until = (check: () => boolean, description: string): Promise<true> =>
  untilWithin(check, description, 5_000);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

interface Instance {
  readonly hub: McpHub;
  readonly errors: CacheError[];
}

/** One "process" on the shared store and bus hub, with its hub's errors recorded. */
async function instance(
  store: Store,
  bus: Bus,
  options: { notifyTimeout?: number } = {},
): Promise<Instance> {
  const cache = createCache({ store, namespace: 'fleet' });
  const errors: CacheError[] = [];
  const hub = createMcpHub({ cache, bus, onError: (error) => errors.push(error), ...options });
  cleanup.push(async () => {
    await hub.close();
    await cache.close();
    await bus.dispose();
  });
  await hub.ready();
  return { hub, errors };
}

async function client(at: Instance, source: FleetSource): Promise<Connection> {
  const connection = await connect(at.hub, (session) => registerFleet(session, source));
  cleanup.push(() => connection.close());
  return connection;
}

/** Makes the session's `sendResourceUpdated` hang until `release()` (or forever). */
function stall(connection: Connection): { release: () => void } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  connection.server.server.sendResourceUpdated = () => gate;
  return { release };
}

/** A store whose generation bumps (tag and URI invalidations) reject while `failing.on`. */
function bumpFailing(store: Store): { store: Store; failing: { on: boolean } } {
  const failing = { on: false };
  const proxy = new Proxy(store, {
    get(target, property) {
      if (property === 'bumpGenerations' && failing.on) {
        return () => Promise.reject(new Error('generation bump refused'));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, failing };
}

const firstText = (result: unknown): string =>
  ((result as CallToolResult).content[0] as { text: string }).text;

describe('a stalled session', () => {
  it('does not hold up the tool result or the other instances past notifyTimeout', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }), {
      notifyTimeout: 50,
    });
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const stalled = await client(a, source);
    const caller = await client(a, source);
    const watcher = await client(b, source);
    await stalled.client.subscribeResource({ uri: configUri('m1') });
    await watcher.client.subscribeResource({ uri: configUri('m1') });
    stall(stalled); // never released

    const result = await caller.client.callTool({
      name: 'update_miner_config',
      arguments: { minerId: 'm1', fanSpeed: 20 },
    });
    expect(result.isError).toBeFalsy();
    await until(() => watcher.updates.length === 1, 'the notification on B');
    expect(watcher.updates).toEqual([configUri('m1')]);
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toBeInstanceOf(McpNotifyError);
    expect(a.errors[0]?.message).toMatch(/not delivered within 50 ms/);
    expect(a.hub.stats()).toMatchObject({ notifyErrors: 1 });
  });

  it('publishes to the other instances while the local fan-out is still pending', async () => {
    const store = memoryStore();
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const stalled = await client(a, source);
    const watcher = await client(b, source);
    await stalled.client.subscribeResource({ uri: statusUri('m2') });
    await watcher.client.subscribeResource({ uri: statusUri('m2') });
    const { release } = stall(stalled);

    let settled = false;
    const updating = a.hub.resourceUpdated(statusUri('m2')).finally(() => {
      settled = true;
    });
    await until(() => watcher.updates.length === 1, 'the notification on B');
    expect(settled).toBe(false);
    release();
    await updating;
    expect(a.errors).toEqual([]);
    expect(a.hub.stats()).toMatchObject({ notified: 1, notifyErrors: 0 });
  });
});

describe('an invalidation failure', () => {
  it('in a mutating tool: subscribers everywhere are still notified; the result says the change was applied', async () => {
    const { store, failing } = bumpFailing(memoryStore());
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const onA = await client(a, source);
    const onB = await client(b, source);
    await onA.client.subscribeResource({ uri: SUMMARY_URI });
    await onB.client.subscribeResource({ uri: configUri('m3') });
    failing.on = true;

    const result = await onA.client.callTool({
      name: 'update_miner_config',
      arguments: { minerId: 'm3', fanSpeed: 30 },
    });
    expect(source.config.get('m3')).toEqual({ fanSpeed: 30 });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/change WAS applied/);
    expect(firstText(result)).toMatch(/do not call it again/);
    expect(firstText(result)).not.toMatch(/retry/i);
    // The handler's own result follows the warning.
    expect(result.content).toContainEqual({ type: 'text', text: 'ok' });
    await until(
      () => onA.updates.length === 1 && onB.updates.length === 1,
      'the notifications on A and B',
    );
    expect(onA.updates).toEqual([SUMMARY_URI]);
    expect(onB.updates).toEqual([configUri('m3')]);
    expect(a.errors.map((error) => error.message).join('\n')).toMatch(
      /update_miner_config.*generation bump refused/s,
    );
    failing.on = false;
    expect(text(await onB.client.readResource({ uri: configUri('m3') }))).toEqual({
      fanSpeed: 30,
    });
  });

  it('in hub.resourceUpdated: notifies and publishes, then rejects with the invalidation error', async () => {
    const { store, failing } = bumpFailing(memoryStore());
    const buses = memoryHub();
    const a = await instance(store, createBus({ transport: buses.transport() }));
    const b = await instance(store, createBus({ transport: buses.transport() }));
    const source = new FleetSource();
    const onA = await client(a, source);
    const onB = await client(b, source);
    await onA.client.subscribeResource({ uri: statusUri('m1') });
    await onB.client.subscribeResource({ uri: statusUri('m1') });
    failing.on = true;
    await expect(a.hub.resourceUpdated(statusUri('m1'))).rejects.toThrow(/generation bump refused/);
    await until(
      () => onA.updates.length === 1 && onB.updates.length === 1,
      'the notifications on A and B',
    );
  });
});
