import { randomUUID } from 'node:crypto';
import { createCache } from '@cachekit/core';
import { type IoredisStore, ioredisStore } from '@cachekit/ioredis';
import { type RedisServerHandle, startRedisServer, waitFor } from '@cachekit/redis-testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cachekitFastify from '../src/index.js';
import { expectStorable } from './helpers.js';

/** The cache's bound on every store call. */
const TIMEOUT = 100;
/**
 * Slack on top of the timeout, generous for a loaded 2-core machine: the wall-time bound only
 * shows that a request does not hang (a SIGSTOPped Redis never answers: without the timeout it
 * would wait forever); the behaviour is asserted on the cache's reported errors.
 */
const SLACK = 4_000;

let server: RedisServerHandle;
let store: IoredisStore;
let app: FastifyInstance;
const calls = { count: 0 };
/** Codes of the errors the cache reported (store timeouts, connection failures...). */
const errors: string[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  store = ioredisStore({ redis: { host: server.host, port: server.port } });
  (store.client as Redis).on('error', () => undefined); // expected while the server is down
  const cache = createCache({
    store,
    timeout: TIMEOUT,
    namespace: `failopen${randomUUID().slice(0, 8)}`,
  });
  cache.on('error', (event) => errors.push(event.error.code));
  app = Fastify();
  await app.register(cachekitFastify, { cache });
  app.get('/status', { config: { cache: { ttl: '1m' } } }, async () => ({ n: ++calls.count }));
  await app.ready();
}, 20_000);

afterAll(async () => {
  if (server?.paused) server.resume();
  await app?.close();
  await store?.close();
  await server?.stop();
});

/** A request, timed. */
async function timed(url: string) {
  const started = performance.now();
  const response = await app.inject(url);
  return { response, elapsed: performance.now() - started };
}

describe('Redis down: routes still answer, uncached', () => {
  it('SIGSTOPped (hung) Redis: answers within the timeout, from the handler', async () => {
    expect((await app.inject('/status')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/status')).headers['x-cache']).toBe('HIT');
    const before = calls.count;
    errors.length = 0;
    server.pause();
    try {
      for (let i = 1; i <= 3; i++) {
        const { response, elapsed } = await timed('/status');
        expect(response.statusCode).toBe(200);
        expect(['MISS', 'BYPASS']).toContain(response.headers['x-cache']);
        expect(response.json()).toEqual({ n: before + i });
        expect(elapsed).toBeLessThan(TIMEOUT + SLACK);
        if (response.headers['x-cache'] === 'MISS') expectStorable(response, 60);
      }
      // The answers came from the handler because the store calls timed out.
      expect(errors).toContain('E_STORE_TIMEOUT');
    } finally {
      server.resume();
    }
  }, 30_000);

  it('killed Redis: answers from the handler, then caches again once it is back', async () => {
    await server.kill();
    const before = calls.count;
    errors.length = 0;
    for (let i = 1; i <= 3; i++) {
      const { response, elapsed } = await timed('/status');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ n: before + i });
      expect(elapsed).toBeLessThan(TIMEOUT + SLACK);
    }
    expect(errors.length).toBeGreaterThan(0);
    await server.restart();
    await (store.client as Redis).ping();
    // The circuit breaker lets a probe through after it opened; then the cache is used again.
    await waitFor(async () => (await app.inject('/status')).headers['x-cache'] === 'HIT', {
      timeoutMs: 10_000,
      description: 'a HIT once Redis is back',
    });
  }, 30_000);
});
