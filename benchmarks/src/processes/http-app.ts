import { setTimeout as sleep } from 'node:timers/promises';
import { type Cache, createCache, definePolicy, MODERATE } from '@cachekit/core';
import cachekitFastify from '@cachekit/fastify';
import { ioredisStore } from '@cachekit/ioredis';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { connectCachekit } from '../contenders/cachekit.js';
import { makeMinerStatus } from '../contenders/json-value.js';
import { HTTP_ROUTES, type HttpRoute, type ServerCounts } from './http-protocol.js';

/** How long the slow source takes (TARGETS.md B7: "a source that costs 20 ms"). */
export const SOURCE_MS = 20;
/** TTL of the cached responses and of the caches' default policy: longer than any run. */
const TTL_MS = 600_000;

/** The B7 server, listening. */
export interface HttpApp {
  readonly port: number;
  counts(): ServerCounts;
  /** Closes the server, then both caches and their connections. */
  close(): Promise<void>;
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function l1HitsOf(cache: Cache): number {
  let total = 0;
  for (const hits of cache.l1HitCounts().values()) total += hits;
  return total;
}

/**
 * One Fastify app with every B7 route. `constant` and `uncached-20ms` are plain routes; the
 * cached routes are registered in two encapsulated scopes, each with its own `@cachekit/fastify`
 * registration: one on cachekit as B1 configures it (ioredis store, L1, `cacheSync` bus), one on
 * a cache with the same ioredis store and no L1. Every handler returns the same ~1 KB object
 * (Fastify serializes it), so a cached route differs from `constant` by the plugin only.
 */
export async function startHttpApp(redisUrl: string): Promise<HttpApp> {
  const body = makeMinerStatus();
  const sourceCalls = Object.fromEntries(HTTP_ROUTES.map((r) => [r, 0])) as Record<
    HttpRoute,
    number
  >;
  const fast = (route: HttpRoute) => async () => {
    sourceCalls[route]++;
    return body;
  };
  const slow = (route: HttpRoute) => async () => {
    sourceCalls[route]++;
    await sleep(SOURCE_MS);
    return body;
  };
  const routeCache = { config: { cache: { ttl: TTL_MS } } };

  const withL1 = await connectCachekit({ redisUrl, ttlMs: TTL_MS, namespace: 'b7-l1' });
  const l2Client = new Redis(redisUrl);
  const withoutL1 = createCache({
    store: ioredisStore({ client: l2Client }),
    namespace: 'b7-l2',
    policy: definePolicy(MODERATE, { ttl: TTL_MS }),
  });
  const app: FastifyInstance = Fastify({ logger: false });
  const closeAll = async (): Promise<void> => {
    await app.close();
    await withoutL1.close();
    await l2Client.quit();
    await withL1.close();
  };
  try {
    await withoutL1.ready();
    app.get('/constant', fast('constant'));
    app.get('/uncached-20ms', slow('uncached-20ms'));
    await app.register(async (scope) => {
      await scope.register(cachekitFastify, { cache: withL1.cache });
      scope.get('/cached-l1', routeCache, fast('cached-l1'));
      scope.get('/cached-20ms-source', routeCache, slow('cached-20ms-source'));
    });
    await app.register(async (scope) => {
      await scope.register(cachekitFastify, { cache: withoutL1 });
      scope.get('/cached-l2', routeCache, fast('cached-l2'));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await closeAll();
    throw new Error(`The B7 server is not listening on a TCP port (${String(address)}).`);
  }
  return {
    port: address.port,
    counts: () => ({
      sourceCalls: { ...sourceCalls },
      l1Hits: { withL1: l1HitsOf(withL1.cache), withoutL1: l1HitsOf(withoutL1) },
      cpuMicros: cpuMicros(),
    }),
    close: closeAll,
  };
}
