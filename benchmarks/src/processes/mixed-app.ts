import { type Cache, createCache, definePolicy, EPHEMERAL, EVENT_DRIVEN } from '@cachekit/core';
import cachekitFastify from '@cachekit/fastify';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { type Bus, cacheSync, createBus } from '@cachekit/pubsub';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { MixedServerCounts, MixedServerOptions } from './mixed-protocol.js';
import { FAN_MODES, type FleetConfig, MixedFleetSource } from './mixed-source.js';

// The fleet demo's cache policies (examples/fleet/src/cache-policies.ts), unchanged.
/** The event that invalidates every cached miner config. */
const CONFIG_UPDATED = 'miner.config.updated';
/** Tag of the summary, dropped when a config changes. */
const FLEET_TAG = 'fleet';
const minerTags = (request: FastifyRequest): string[] => [
  `miner:${(request.params as { minerId: string }).minerId}`,
];
const STATUS_CACHE = { policy: EPHEMERAL, tags: minerTags };
const CONFIG_CACHE = {
  policy: definePolicy(EVENT_DRIVEN, { ttl: '5m', invalidateOn: [CONFIG_UPDATED] }),
  tags: minerTags,
};
const SUMMARY_CACHE = { policy: definePolicy(EPHEMERAL, { ttl: '30s' }), tags: [FLEET_TAG] };

// The demo's schemas (examples/fleet/src/schemas.ts).
const minerParams = {
  type: 'object',
  properties: { minerId: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['minerId'],
};
const configBody = {
  type: 'object',
  additionalProperties: false,
  required: ['poolUrl', 'powerTargetW', 'fanMode'],
  properties: {
    poolUrl: { type: 'string', pattern: '^stratum\\+(tcp|ssl)://[^\\s/:]+(:[0-9]{1,5})?$' },
    powerTargetW: { type: 'integer', minimum: 1000, maximum: 6000 },
    fanMode: { type: 'string', enum: [...FAN_MODES] },
  },
};

type MinerRequest = FastifyRequest<{ Params: { minerId: string } }>;

/** The mixed-run server, listening. */
export interface MixedApp {
  readonly port: number;
  counts(): MixedServerCounts;
  /** Closes the server, then the cache, the bus and the Redis client. */
  close(): Promise<void>;
}

function notFound<T>(reply: FastifyReply, value: T | undefined): T | { error: string } {
  if (value !== undefined) return value;
  reply.code(404);
  return { error: 'no such miner' };
}

interface CacheParts {
  readonly cache: Cache;
  readonly bus: Bus;
  readonly client: Redis;
}

/**
 * The demo's cache on Redis (examples/fleet/src/app.ts and backend.ts), in a namespace (and on a
 * bus channel) of its mode: the servers of the contenders share one Redis, not their entries.
 */
function demoCache(options: MixedServerOptions): CacheParts {
  const client = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  });
  const bus = createBus({ transport: ioredisTransport({ client }) });
  const cache = createCache({
    namespace: `fleet-${options.mode}`,
    store: ioredisStore({ client }),
    sync: cacheSync(bus, { namespace: `fleet-demo.fleet-${options.mode}` }),
    l1: options.mode === 'cachekit-l1',
    timeout: '250ms',
  });
  return { cache, bus, client };
}

/**
 * The fleet demo's read and write routes (`GET /miners/:minerId/status`, `GET` and `PUT
 * /miners/:minerId/config`, `GET /fleet/summary`) on a simulated slow source: with
 * `@cachekit/fastify` and the demo's policies and write-through (`cachekit`, `cachekit-l1`), or
 * the same handlers without any cache (`uncached`).
 */
export async function startMixedApp(options: MixedServerOptions): Promise<MixedApp> {
  const source = new MixedFleetSource(options.miners, options.latencyMinMs, options.latencyMaxMs);
  const parts = options.mode === 'uncached' ? undefined : demoCache(options);
  const app: FastifyInstance = Fastify({
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const closeAll = async (): Promise<void> => {
    await app.close();
    if (parts === undefined) return;
    await parts.cache.close();
    await parts.bus.dispose();
    await parts.client.quit().catch(() => parts.client.disconnect());
  };
  const cacheConfig = <T>(config: T): { cache: T } | Record<string, never> =>
    parts === undefined ? {} : { cache: config };
  try {
    if (parts !== undefined) {
      await parts.cache.ready();
      await app.register(cachekitFastify, { cache: parts.cache });
    }
    app.get(
      '/miners/:minerId/status',
      { schema: { params: minerParams }, config: cacheConfig(STATUS_CACHE) },
      async (request: MinerRequest, reply) =>
        notFound(reply, await source.status(request.params.minerId)),
    );
    app.get(
      '/miners/:minerId/config',
      { schema: { params: minerParams }, config: cacheConfig(CONFIG_CACHE) },
      async (request: MinerRequest, reply) =>
        notFound(reply, await source.config(request.params.minerId)),
    );
    app.get('/fleet/summary', { config: cacheConfig(SUMMARY_CACHE) }, () => source.summary());
    // Write-through as the demo's config-writer.ts: the source first; then every cached config
    // (the event) and the summary (its tag) are invalidated; then the GET response is cached again.
    app.put(
      '/miners/:minerId/config',
      { schema: { params: minerParams, body: configBody } },
      async (
        request: FastifyRequest<{ Params: { minerId: string }; Body: FleetConfig }>,
        reply,
      ) => {
        const { minerId } = request.params;
        const stored = await source.writeConfig(minerId, request.body);
        if (stored === undefined || parts === undefined) return notFound(reply, stored);
        await parts.cache.handleEvent(CONFIG_UPDATED, { minerId });
        await parts.cache.invalidateTags([FLEET_TAG]);
        await app
          .inject({ method: 'GET', url: `/miners/${encodeURIComponent(minerId)}/config` })
          .catch(() => undefined);
        return stored;
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await closeAll();
    throw new Error(`The mixed-run server is not listening on a TCP port (${String(address)}).`);
  }
  return {
    port: address.port,
    counts: () => {
      let l1Hits = 0;
      for (const hits of parts?.cache.l1HitCounts().values() ?? []) l1Hits += hits;
      const cpu = process.cpuUsage();
      return { sourceCalls: { ...source.calls }, l1Hits, cpuMicros: cpu.user + cpu.system };
    },
    close: closeAll,
  };
}
