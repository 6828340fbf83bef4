import { createCache } from '@cachekit/core';
import {
  type RedisClusterHandle,
  type RedisServerHandle,
  sendCommand,
  startRedisCluster,
  waitFor,
} from '@cachekit/redis-testkit';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IoredisStore, ioredisStore } from '../../src/index.js';
import { slotOf } from '../../src/slots.js';
import { uniqueName } from '../helpers.js';
import {
  countErrors,
  distribution,
  fastLoad,
  isTaggedFor,
  select,
  startLoad,
  watchUnhandledRejections,
} from './helpers.js';

// R7 (TARGETS.md): a master of a private Cluster (3 masters + 3 replicas) killed under load.
const TIMEOUT = 150;
const KEYS = 60;
const LOOPS = 10;
/** How long a node may be silent before the others fail it over (the testkit's default is 2 s). */
const NODE_TIMEOUT_MS = 1_000;
const SHORT_TTL = 500;

let cluster: RedisClusterHandle;
let store: IoredisStore;
const clientErrors: Error[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicas: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
  // A created Cluster client: the store's defaults (maxRetriesPerRequest: 1 on every node).
  store = ioredisStore({ cluster: { nodes: [...cluster.nodes] } });
  const client = store.client as Cluster;
  client.on('error', (error: Error) => clientErrors.push(error));
  client.on('node error', (error: Error) => clientErrors.push(error));
  await waitFor(() => client.status === 'ready', { description: 'the cluster client' });
}, 30_000);

afterAll(async () => {
  await store?.close();
  await cluster?.stop();
});

/** The port of the master serving each slot, from CLUSTER SLOTS on `node`. */
async function slotOwners(node: RedisServerHandle): Promise<(slot: number) => number | undefined> {
  const reply = (await sendCommand(node, ['CLUSTER', 'SLOTS'])) as Array<
    [number, number, [string, number, ...unknown[]], ...unknown[]]
  >;
  const ranges = reply.map(([from, to, [, port]]) => ({ from, to, port }));
  return (slot) => ranges.find((r) => slot >= r.from && slot <= r.to)?.port;
}

it('a master killed: calls answer from the source meanwhile, 0 errors surfaced, L2 hits resume on its slots after failover, TTLs hold', async () => {
  const unhandled = watchUnhandledRejections();
  const cache = createCache({ store, namespace: uniqueName('failover'), timeout: TIMEOUT });
  const errors = new Map<string, number>();
  cache.on('error', countErrors(errors));
  const victim = cluster.masters[0] as RedisServerHandle;
  const survivor = cluster.masters[1] as RedisServerHandle;
  const ownerOf = await slotOwners(survivor);
  const slotOfKey = (key: number): number => slotOf(cache.keys.entry(['k', key]), '');
  const keysOf = (port: number): number[] =>
    Array.from({ length: KEYS }, (_, key) => key).filter((key) => ownerOf(slotOfKey(key)) === port);
  const victimKeys = new Set(keysOf(victim.port));
  // Keys on every master, so that calls cover every shard of the slot space.
  for (const master of cluster.masters) expect(keysOf(master.port).length).toBeGreaterThan(5);

  const keyOf = new Map(
    Array.from({ length: KEYS }, (_, key) => [cache.keys.entry(['k', key]), key] as const),
  );
  let killedAt = Number.POSITIVE_INFINITY;
  let promotedAt = Number.POSITIVE_INFINITY;
  let firstVictimHit: number | undefined;
  let firstVictimWrite: number | undefined;
  let hitsBeforeKill = 0;
  cache.on('hit', (event) => {
    const key = keyOf.get(event.key);
    if (key === undefined || !victimKeys.has(key)) return;
    const now = performance.now();
    if (now < killedAt) hitsBeforeKill++;
    if (firstVictimHit === undefined && now > promotedAt) firstVictimHit = now;
  });
  cache.on('set', (event) => {
    const key = keyOf.get(event.key);
    if (key === undefined || !victimKeys.has(key) || !event.stored) return;
    const now = performance.now();
    if (firstVictimWrite === undefined && now > promotedAt) firstVictimWrite = now;
  });

  await Promise.all(
    Array.from({ length: KEYS }, (_, key) =>
      cache.set(['k', key], { k: key, source: 'warm', at: Date.now() }, { ttl: '1m' }),
    ),
  );
  const load = startLoad(
    LOOPS,
    KEYS,
    (_, key) => cache.getOrSet(['k', key], () => fastLoad(key), { ttl: '1m' }),
    isTaggedFor,
  );
  await waitFor(() => hitsBeforeKill >= 100, { description: 'L2 hits on the victim’s keys' });

  await victim.kill();
  killedAt = performance.now();
  const callsBefore = load.count();
  // The replica is promoted: every live node agrees on 3 healthy masters again.
  await cluster.waitForOk(15_000);
  promotedAt = performance.now();
  const callsDuring = load.count() - callsBefore;
  const newOwnerOf = await slotOwners(survivor);
  const newOwner = newOwnerOf(slotOfKey([...victimKeys][0] as number));
  expect(newOwner).not.toBe(victim.port);
  expect(cluster.replicas.map((r) => r.port)).toContain(newOwner);

  // The cache finds the promoted replica by itself: L2 hits on the failed master's slots.
  const hitAfter =
    (await waitFor(() => firstVictimHit, {
      timeoutMs: 5_000,
      description: 'an L2 hit on the failed master’s slots',
    })) - promotedAt;
  const writeAfter = firstVictimWrite === undefined ? undefined : firstVictimWrite - promotedAt;
  await load.stop();
  unhandled.stop();

  const duringOutage = select(
    load.calls,
    (c) => c.start >= killedAt && c.end <= promotedAt && victimKeys.has(c.key),
  );
  const others = select(
    load.calls,
    (c) => c.start >= killedAt && c.end <= promotedAt && !victimKeys.has(c.key),
  );

  // Entries written after recovery, on the promoted master's slots, expire within their TTL.
  const ttlKeys = Array.from({ length: 200 }, (_, i) => i)
    .filter((i) => newOwnerOf(slotOf(cache.keys.entry(['ttl', i]), '')) === newOwner)
    .slice(0, 5);
  expect(ttlKeys.length).toBe(5);
  const written = performance.now();
  await Promise.all(
    ttlKeys.map((i) =>
      cache.set(['ttl', i], { k: i, source: 'warm', at: Date.now() }, { ttl: SHORT_TTL }),
    ),
  );
  const client = store.client as Cluster;
  const pttls = await Promise.all(ttlKeys.map((i) => client.pttl(cache.keys.entry(['ttl', i]))));
  expect(await cache.get(['ttl', ttlKeys[0] as number])).toBeDefined();
  await waitFor(
    async () => {
      const raw = await Promise.all(
        ttlKeys.map((i) => client.exists(cache.keys.entry(['ttl', i]))),
      );
      return raw.every((n) => n === 0);
    },
    {
      timeoutMs: SHORT_TTL + 2_000,
      intervalMs: 10,
      description: 'the short-lived entries to expire',
    },
  );
  const expiredAfter = performance.now() - written;

  console.info(
    `R7 cluster 3+3, node timeout ${NODE_TIMEOUT_MS} ms, ${LOOPS} loops, timeout ${TIMEOUT} ms: ` +
      `failover (kill -> every node ok) ${(promotedAt - killedAt).toFixed(0)} ms, ${callsDuring} calls meanwhile; ` +
      `latency on the failed master's keys ${distribution(duringOutage.map((c) => c.end - c.start))}, ` +
      `on the others ${distribution(others.map((c) => c.end - c.start))} ` +
      `(${others.filter((c) => c.end - c.start >= TIMEOUT).length} at the timeout: CLUSTERDOWN while slots are uncovered); ` +
      `first L2 hit on its slots ${hitAfter.toFixed(0)} ms and first stored write ${writeAfter?.toFixed(0) ?? 'none'} ms after the promotion; ` +
      `cache error events ${JSON.stringify(Object.fromEntries(errors))}; client errors ${clientErrors.length}; ` +
      `short entries: PTTL ${pttls.join(', ')} ms, gone ${expiredAfter.toFixed(0)} ms after the write (TTL ${SHORT_TTL} ms)`,
  );

  expect(duringOutage.length).toBeGreaterThan(0); // keys of the failed master were asked meanwhile
  expect(errors.size).toBeGreaterThan(0); // and the failure reached the cache
  expect(load.failures.map((f) => String(f.error))).toEqual([]);
  expect(load.wrong).toEqual([]);
  expect(unhandled.reasons).toEqual([]);
  for (const pttl of pttls) {
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(SHORT_TTL);
  }
  expect(expiredAfter).toBeLessThan(SHORT_TTL + 200);
}, 40_000);
