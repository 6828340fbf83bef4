import { randomUUID } from 'node:crypto';
import { createCache } from '@cachekit/core';
import { waitFor } from '@cachekit/core/testing';
import { nodeRedisStore } from '@cachekit/node-redis';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const TIMEOUT = 200;
/** Scheduling slack on a shared 2-core machine. */
const SLACK = 50;

// Private servers: these tests stop and kill them.
let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
}, 20_000);

afterEach(() => {
  if (server.paused) server.resume();
});

afterAll(async () => {
  await server?.stop();
});

function counter(value: string): { load: () => Promise<string>; readonly calls: number } {
  let calls = 0;
  return {
    load: async () => {
      calls++;
      return value;
    },
    get calls() {
      return calls;
    },
  };
}

/** The call's value and how long it took (a rejection fails the test). */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

/** Polls until a getOrSet of `key` is answered from the cache (the loader is not called). */
async function untilCached(
  cache: ReturnType<typeof createCache>,
  key: string,
  message: string,
): Promise<void> {
  await waitFor(
    async () => {
      const loader = counter('fresh');
      await cache.getOrSet(key, loader.load);
      const again = counter('fresh');
      await cache.getOrSet(key, again.load);
      return again.calls === 0;
    },
    { timeout: 10_000, interval: 50, message },
  );
}

describe('fail-open with a store-created client', () => {
  it('answers from the loader within the timeout while Redis is stopped (SIGSTOP)', async () => {
    const store = nodeRedisStore({ url: server.url });
    const cache = createCache({ store, timeout: TIMEOUT });
    try {
      await untilCached(cache, 'warm', 'the cache to work before the pause');
      server.pause();
      const loader = counter('from-source');
      const result = await timed(() => cache.getOrSet(`stopped:${randomUUID()}`, loader.load));
      expect(result.value).toBe('from-source');
      expect(loader.calls).toBe(1);
      expect(result.ms).toBeLessThan(TIMEOUT + SLACK);

      server.resume();
      await untilCached(cache, `resumed:${randomUUID()}`, 'a cache hit after SIGCONT');
    } finally {
      if (server.paused) server.resume();
      await cache.close();
      await store.close();
    }
  }, 20_000);

  it('answers from the loader while Redis is killed, and caches again after a restart', async () => {
    const store = nodeRedisStore({ url: server.url });
    const cache = createCache({ store, timeout: TIMEOUT });
    try {
      await untilCached(cache, 'warm', 'the cache to work before the kill');
      await server.kill();
      const first = counter('from-source');
      const result = await timed(() => cache.getOrSet('killed:first', first.load));
      expect(result.value).toBe('from-source');
      expect(first.calls).toBe(1);
      expect(result.ms).toBeLessThan(TIMEOUT + SLACK);

      // Once the client has seen the connection drop, its calls fail at once (offline queue off):
      // the cache answers without waiting for its timeout.
      await waitFor(
        () =>
          store.get('any').then(
            () => false,
            () => true,
          ),
        { message: 'the store to fail fast while Redis is down' },
      );
      for (let i = 0; i < 3; i++) {
        const loader = counter('from-source');
        const fast = await timed(() => cache.getOrSet(`killed:${i}`, loader.load));
        expect(fast.value).toBe('from-source');
        expect(loader.calls).toBe(1);
        expect(fast.ms).toBeLessThan(SLACK);
      }

      await server.restart();
      await untilCached(cache, `restarted:${randomUUID()}`, 'a cache hit after the restart');
    } finally {
      await cache.close();
      await store.close();
    }
  }, 20_000);

  it('answers from the loader when Redis is down at startup, and caches once it is up', async () => {
    await server.kill();
    const store = nodeRedisStore({ url: server.url });
    const cache = createCache({ store, timeout: TIMEOUT });
    try {
      const loader = counter('from-source');
      const result = await timed(() => cache.getOrSet(`down:${randomUUID()}`, loader.load));
      expect(result.value).toBe('from-source');
      expect(result.ms).toBeLessThan(TIMEOUT + SLACK);

      await server.restart();
      await untilCached(cache, `up:${randomUUID()}`, 'a cache hit once Redis is up');
    } finally {
      await cache.close();
      await store.close();
    }
  }, 20_000);
});
