import { ABSENT_GENERATION, createCache } from '@cachekit/core';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisStore } from '../src/index.js';
import { clusterClient, deferred, errorCount, standaloneClient, uniqueName } from './helpers.js';

const TTL = 60_000;

describe('ioredis store scripts', () => {
  // SCRIPT FLUSH would disturb other tests' scripts, so it runs on a private server.
  let server: RedisServerHandle;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  for (const autoPipelining of [false, true]) {
    it(`all scripts still work after SCRIPT FLUSH (NOSCRIPT fallback${autoPipelining ? ', auto-pipelining' : ''})`, async () => {
      const own = new Redis(server.url, { enableAutoPipelining: autoPipelining });
      try {
        const store = ioredisStore({ client: own });
        const p = uniqueName('flush');
        const guards = (generation: string) => [{ key: `${p}:g`, generation }];
        // Twice each: the first call of a script on a connection sends EVAL, later ones EVALSHA.
        for (let i = 0; i < 2; i++) {
          const [generation] = await store.bumpGenerations([`${p}:g`], TTL);
          await store.setIfGenerations(`${p}:k`, 'v', TTL, guards(generation as string));
          await store.acquireLock(`${p}:lock`, 'A', TTL);
          await store.releaseLock(`${p}:lock`, 'A');
        }
        const [generation] = await store.bumpGenerations([`${p}:g`], TTL);
        const noscriptBefore = await errorCount(server, 'NOSCRIPT');

        await client.script('FLUSH');
        const [bumped] = await store.bumpGenerations([`${p}:g`], TTL);
        expect(BigInt(bumped as string)).toBeGreaterThan(BigInt(generation as string));

        await client.script('FLUSH');
        await expect(
          store.setIfGenerations(`${p}:k`, 'w', TTL, guards(bumped as string)),
        ).resolves.toBe(true);
        await expect(store.get(`${p}:k`)).resolves.toBe('w');
        await expect(
          store.setIfGenerations(`${p}:k`, 'x', TTL, guards(ABSENT_GENERATION)),
        ).resolves.toBe(false);
        await expect(store.get(`${p}:k`)).resolves.toBe('w');

        await expect(store.acquireLock(`${p}:lock`, 'B', TTL)).resolves.toBe(true);
        await client.script('FLUSH');
        await expect(store.releaseLock(`${p}:lock`, 'A')).resolves.toBe(false);
        await expect(client.get(`${p}:lock`)).resolves.toBe('B');
        await client.script('FLUSH');
        await expect(store.releaseLock(`${p}:lock`, 'B')).resolves.toBe(true);
        await expect(client.exists(`${p}:lock`)).resolves.toBe(0);
        // Pipelines (auto-pipelining) always send EVAL, so only a plain client meets NOSCRIPT.
        if (!autoPipelining) {
          // Proves each flush was seen: EVALSHA was refused and ioredis fell back to EVAL.
          expect(await errorCount(server, 'NOSCRIPT')).toBeGreaterThanOrEqual(noscriptBefore + 4);
        }
      } finally {
        await own.quit();
      }
    });
  }

  // Core sends an invalidation's generation bump and its UNLINK / SET concurrently
  // (entry-io.ts remove() and write(): Promise.all), relying on them reaching Redis in call order.
  // After SCRIPT FLUSH the bump's EVALSHA fails with NOSCRIPT and ioredis resends it as EVAL one
  // round trip later, behind the UNLINK / SET: a guarded write from a load that began before the
  // invalidation lands in between, passes the not-yet-bumped guard, and survives. These fail
  // until core awaits the bump before deleting or writing.
  for (const operation of ['delete', 'set'] as const) {
    it(`a ${operation} right after SCRIPT FLUSH still stops a load that began before it`, async () => {
      const invalidator = new Redis(server.url);
      const loaderClient = new Redis(server.url);
      try {
        const namespace = uniqueName('order');
        const cache = createCache({ store: ioredisStore({ client: invalidator }), namespace });
        const otherProcess = createCache({
          store: ioredisStore({ client: loaderClient }),
          namespace,
        });
        const stale: number[] = [];
        for (let round = 0; round < 20; round++) {
          const key = `k${round}`;
          // Twice: the invalidator's connection now sends the bump script as EVALSHA.
          await cache.delete(key);
          await cache.delete(key);
          const gate = deferred();
          const loading = deferred();
          const load = otherProcess.getOrSet(key, async () => {
            loading.resolve();
            await gate.promise;
            return 'stale';
          });
          await loading.promise;
          await client.script('FLUSH');
          const invalidation = operation === 'delete' ? cache.delete(key) : cache.set(key, 'fresh');
          gate.resolve();
          await Promise.all([invalidation, load]);
          const read = await cache.get(key);
          if (read === 'stale') stale.push(round);
        }
        expect(
          stale,
          `rounds that served the stale value after the ${operation} completed`,
        ).toEqual([]);
      } finally {
        await Promise.all([invalidator.quit(), loaderClient.quit()]);
      }
    });
  }

  it('generations are exact decimal integers (no exponent), from server time in µs', async () => {
    const store = ioredisStore({ client });
    const p = uniqueName('gen');
    const before = BigInt(Date.now()) * 1000n;
    const generations = await store.bumpGenerations([`${p}:a`, `${p}:b`], TTL);
    for (const generation of generations) {
      expect(generation).toMatch(/^[1-9][0-9]{15}$/);
      // Server time in µs (same machine; allow a second of skew).
      expect(BigInt(generation)).toBeGreaterThan(before - 1_000_000n);
    }
    await expect(client.get(`${p}:a`)).resolves.toBe(generations[0]);
    // Ahead of the clock: current + 1, still exact near 2^53 and still without an exponent.
    await client.set(`${p}:c`, '9007199254740000');
    await expect(store.bumpGenerations([`${p}:c`], TTL)).resolves.toEqual(['9007199254740001']);
    await expect(client.get(`${p}:c`)).resolves.toBe('9007199254740001');
    const ttl = await client.pttl(`${p}:c`);
    expect(ttl).toBeGreaterThan(TTL - 5_000);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });
});

describe('ioredis store close()', () => {
  it('leaves a client you passed in open', async () => {
    const client = standaloneClient();
    try {
      const store = ioredisStore({ client });
      await store.set(uniqueName('open'), 'v', TTL);
      await store.close();
      await store.close();
      expect(client.status).toBe('ready');
      await expect(client.ping()).resolves.toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('leaves a Cluster you passed in open', async () => {
    const cluster = clusterClient();
    try {
      const store = ioredisStore({ client: cluster });
      await store.set(uniqueName('open'), 'v', TTL);
      await store.close();
      expect(cluster.status).toBe('ready');
      await expect(cluster.get(uniqueName('open'))).resolves.toBeNull();
    } finally {
      await cluster.quit();
    }
  });

  it('quits a client it created, once, however often close() is called', async () => {
    const store = ioredisStore({ redis: redisFromInject().standalone.url });
    await store.set(uniqueName('created'), 'v', TTL);
    await Promise.all([store.close(), store.close()]);
    await store.close();
    expect(store.client.status).toBe('end');
    await expect(store.get('anything')).rejects.toThrow(/closed/i);
  });

  it('quits a Cluster it created', async () => {
    const nodes = redisFromInject().cluster.map(({ host, port }) => ({ host, port }));
    const store = ioredisStore({ cluster: { nodes } });
    await store.set(uniqueName('created'), 'v', TTL);
    await store.close();
    expect(store.client.status).toBe('end');
    await store.close();
  });

  it('created clients fail queued commands fast (maxRetriesPerRequest: 1)', async () => {
    const store = ioredisStore({ redis: { host: '127.0.0.1', port: 1, retryStrategy: () => 10 } });
    store.client.on('error', () => {}); // connection refused, as expected
    try {
      expect((store.client as Redis).options.maxRetriesPerRequest).toBe(1);
      const started = performance.now();
      await expect(store.get('k')).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await store.close();
    }
  });
});
