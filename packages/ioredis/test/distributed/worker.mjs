// A cachekit "process" for the multi-process tests: the built packages, a real Redis, driven over IPC.
// It runs from the build (npm test builds first), like an application would.
import { performance } from 'node:perf_hooks';
import { createCache } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { cacheSync, createBus } from '@cachekit/pubsub';
import { Redis } from 'ioredis';

/** Wall-clock ms with µs resolution, comparable across processes on one machine. */
const wallClock = () => performance.timeOrigin + performance.now();

let cache;
let bus;
let client;
let loads = 0;

const handlers = {
  async init({ url, namespace, lock = false, lockLease = '10s', l1Ttl = '1h', timeout = '1s' }) {
    client = new Redis(url, { maxRetriesPerRequest: 1 });
    bus = createBus({ transport: ioredisTransport({ client }) });
    cache = createCache({
      store: ioredisStore({ client }),
      namespace,
      l1: { ttl: l1Ttl },
      sync: cacheSync(bus, { namespace }),
      lock,
      lockLease,
      timeout,
    });
    cache.on('invalidate', (event) => {
      if (event.remote === true)
        process.send({
          kind: 'event',
          type: 'invalidated',
          at: wallClock(),
          keys: event.keys ?? [],
          flush: event.flush === true,
        });
    });
    bus.onGap((gap) =>
      process.send({ kind: 'event', type: 'gap', at: wallClock(), reason: gap.reason }),
    );
    await cache.ready();
    return { pid: process.pid };
  },
  /** Cache-aside read whose loader answers `value` (what the test's "source" holds now). */
  async read({ key, value }) {
    const started = wallClock();
    const got = await cache.getOrSet(key, async () => {
      loads++;
      return value;
    });
    return { value: got, started, ended: wallClock() };
  },
  async write({ key, value }) {
    const started = wallClock();
    await cache.set(key, value);
    return { started, ended: wallClock() };
  },
  async remove({ key }) {
    const started = wallClock();
    await cache.delete(key);
    return { started, ended: wallClock() };
  },
  /** `count` concurrent cold reads of one key whose loader takes `loaderMs`. */
  async stampede({ key, count, loaderMs, value }) {
    const started = wallClock();
    const before = loads;
    process.send({ kind: 'event', type: 'stampede-started', at: started });
    const results = await Promise.all(
      Array.from({ length: count }, () =>
        cache.getOrSet(key, async () => {
          loads++;
          process.send({ kind: 'event', type: 'loading', at: wallClock() });
          await new Promise((resolve) => setTimeout(resolve, loaderMs));
          return value;
        }),
      ),
    );
    return {
      loaderCalls: loads - before,
      allEqual: results.every((result) => result === value),
      count: results.length,
      ended: wallClock(),
    };
  },
  async close() {
    await cache.close();
    await bus.dispose();
    await client.quit();
    return {};
  },
};

process.on('message', async ({ id, op, args }) => {
  try {
    const result = await handlers[op](args ?? {});
    process.send({ kind: 'reply', id, ok: true, result });
  } catch (error) {
    process.send({ kind: 'reply', id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ kind: 'ready' });
