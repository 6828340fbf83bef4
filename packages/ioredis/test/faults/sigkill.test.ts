import { setTimeout as sleep } from 'node:timers/promises';
import { createCache } from '@cachekit/core';
import { type RedisServerHandle, startRedisServer, waitFor } from '@cachekit/redis-testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IoredisStore, ioredisStore } from '../../src/index.js';
import { uniqueName } from '../helpers.js';
import {
  countErrors,
  distribution,
  exposeGc,
  fastLoad,
  isTaggedFor,
  queuedCommands,
  select,
  startLoad,
  watchUnhandledRejections,
} from './helpers.js';

// R2 (TARGETS.md): Redis SIGKILLed under load, restarted on the same port after 2 s.
const TIMEOUT = 100;
const KEYS = 50;
const LOOPS = 20;
const DOWN_MS = 2_000;
const MB = 1024 * 1024;

let server: RedisServerHandle;
let store: IoredisStore;
let client: Redis;
const clientErrors: Error[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  // A created client: the store's defaults (maxRetriesPerRequest: 1), ioredis's retryStrategy.
  store = ioredisStore({ redis: { host: server.host, port: server.port } });
  client = store.client as Redis;
  client.on('error', (error: Error) => clientErrors.push(error));
  await client.ping();
}, 20_000);

afterAll(async () => {
  await store?.close();
  await server?.stop();
});

it('Redis SIGKILLed and restarted after 2 s: 0 errors surfaced, first L2 success within 1 s of the restart, heap and offline queue bounded', async () => {
  const gc = exposeGc();
  const unhandled = watchUnhandledRejections();
  const cache = createCache({
    store,
    namespace: uniqueName('sigkill'),
    timeout: TIMEOUT,
    grace: '1m',
  });
  const errors = new Map<string, number>();
  cache.on('error', countErrors(errors));
  // L2 hits and stored writes: proof that Redis answered.
  let successes = 0;
  let restarting = false;
  let firstSuccessAfterRestart: number | undefined;
  const succeeded = (): void => {
    successes++;
    if (restarting && firstSuccessAfterRestart === undefined) {
      firstSuccessAfterRestart = performance.now();
    }
  };
  cache.on('hit', succeeded);
  cache.on('set', (event) => {
    if (event.stored) succeeded();
  });
  const ttlOf = (key: number): number => (key % 2 === 0 ? 60_000 : 30);
  await Promise.all(
    Array.from({ length: KEYS }, (_, key) =>
      cache.set(['k', key], { k: key, source: 'warm', at: Date.now() }, { ttl: ttlOf(key) }),
    ),
  );
  const load = startLoad(
    LOOPS,
    KEYS,
    (_, key) => cache.getOrSet(['k', key], () => fastLoad(key), { ttl: ttlOf(key) }),
    isTaggedFor,
  );
  await waitFor(() => successes >= 1_000, { description: 'the load to run' });
  const reconnectDelays: number[] = [];
  client.on('reconnecting', (delay: number) => reconnectDelays.push(delay));

  await server.kill();
  const killedAt = performance.now();
  const callsBefore = load.count();
  gc();
  const heapAtKill = process.memoryUsage().heapUsed;
  // Queues every 20 ms; the heap both as it is (garbage included) and, every 250 ms, what a full
  // GC leaves of it (what is retained: the measure of memory staying flat).
  const samples: Array<{ heap: number; offline: number; sent: number }> = [];
  const retained: number[] = [];
  const sampler = setInterval(() => {
    samples.push({ heap: process.memoryUsage().heapUsed, ...queuedCommands(client) });
  }, 20);
  const collector = setInterval(() => {
    gc();
    retained.push(process.memoryUsage().heapUsed);
  }, 250);
  await sleep(DOWN_MS); // the outage's length: the load runs meanwhile
  clearInterval(sampler);
  clearInterval(collector);
  const downEnd = performance.now();
  const callsDown = load.count() - callsBefore;

  restarting = true; // a reconnect may come before restart() has seen the server answer
  await server.restart(); // resolves once the new process answers on the same port
  const restartedAt = performance.now();
  const firstSuccess =
    (await waitFor(() => firstSuccessAfterRestart, {
      timeoutMs: 8_000,
      description: 'an L2 hit or stored write after the restart',
    })) - restartedAt;
  await load.stop();
  unhandled.stop();

  const down = select(load.calls, (c) => c.start >= killedAt && c.end <= downEnd);
  const maxHeap = Math.max(...samples.map((s) => s.heap));
  const maxRetained = Math.max(...retained);
  const maxOffline = Math.max(...samples.map((s) => s.offline));
  const maxSent = Math.max(...samples.map((s) => s.sent));
  // The reconnect schedule of the created client, whatever this run's timing: a restart at any
  // moment of a longer outage is noticed only at the next attempt.
  const retryStrategy = client.options.retryStrategy as (times: number) => number | null;
  const schedule = Array.from({ length: 20 }, (_, i) => Number(retryStrategy(i + 1)));
  console.info(
    `R2 SIGKILL, restart after ${DOWN_MS} ms, ${LOOPS} loops, timeout ${TIMEOUT} ms: ${callsDown} calls while down, ` +
      `latency ${distribution(down.map((c) => c.end - c.start))}; ` +
      `restart took ${(restartedAt - downEnd).toFixed(0)} ms; first L2 success ${firstSuccess.toFixed(0)} ms after it; ` +
      `heap at kill (after gc) ${(heapAtKill / MB).toFixed(1)} MB; while down: retained (after gc, every 250 ms) ` +
      `${retained.map((h) => `${h >= heapAtKill ? '+' : ''}${((h - heapAtKill) / MB).toFixed(2)}`).join(' ')} MB, ` +
      `with garbage max +${((maxHeap - heapAtKill) / MB).toFixed(1)} MB; offline queue max ${maxOffline}, ` +
      `sent-unanswered max ${maxSent}; cache error events ${JSON.stringify(Object.fromEntries(errors))}; ` +
      `client error events ${clientErrors.length}; reconnect delays while down ${reconnectDelays.join(', ')} ms; ` +
      `retryStrategy(1..20) max ${Math.max(...schedule)} ms`,
  );

  expect(callsDown).toBeGreaterThan(200); // the load really ran through the outage
  expect(errors.size).toBeGreaterThan(0); // and the outage really reached the cache
  expect(load.failures.map((f) => String(f.error))).toEqual([]);
  expect(load.wrong).toEqual([]);
  expect(unhandled.reasons).toEqual([]);
  expect(retained.length).toBeGreaterThanOrEqual(6);
  expect(maxRetained - heapAtKill).toBeLessThan(20 * MB);
  // Soft: each is reported even if another fails.
  expect
    .soft(firstSuccess, 'first L2 success after the restart completed (ms)')
    .toBeLessThanOrEqual(1_000);
  expect
    .soft(Math.max(...schedule), 'longest reconnect delay of the created client (ms)')
    .toBeLessThan(1_000);
  // Bounded: no more commands wait for the connection than callers wait for (each caller at
  // most a couple); commands the cache gave up on at its timeout should not pile up.
  expect
    .soft(maxOffline, 'commands in the offline queue while Redis is down')
    .toBeLessThanOrEqual(LOOPS * 2);
}, 20_000);
