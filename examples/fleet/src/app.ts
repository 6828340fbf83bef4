import { randomUUID } from 'node:crypto';
import { type Cache, createCache } from '@cachekit/core';
import cachekitFastify from '@cachekit/fastify';
import { type CacheMetrics, cacheMetrics } from '@cachekit/metrics';
import { type Bus, cacheSync } from '@cachekit/pubsub';
import Fastify, { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type Backend, createBackend } from './backend.js';
import { configWriter } from './config-writer.js';
import type { FleetContext } from './context.js';
import { loadDashboardAssets } from './dashboard-assets.js';
import { fleetBus } from './fleet-bus.js';
import { FleetFeed } from './fleet-feed.js';
import { minerIds } from './fleet-model.js';
import { FleetSource } from './fleet-source.js';
import { HttpTimings } from './http-timings.js';
import { mcpHttp as createMcpHttp, type McpHttp } from './mcp-http.js';
import { createFleetMcp, type FleetMcp } from './mcp-server.js';
import { type FleetAppOptions, resolveFleetOptions } from './options.js';
import { dashboardRoutes } from './routes-dashboard.js';
import { fleetRoutes } from './routes-fleet.js';
import { minerRoutes } from './routes-miners.js';
import { observabilityRoutes } from './routes-observability.js';
import { streamRoutes } from './routes-stream.js';
import { describeSchemaErrors } from './schemas.js';
import { FleetSimulator } from './simulator.js';
import { SseHub } from './sse.js';

export type { FleetAppOptions } from './options.js';

/** A running fleet app: the Fastify instance and handles on its parts (for tests and tooling). */
export interface FleetApp {
  readonly app: FastifyInstance;
  /** The slow backend, with its call counts. */
  readonly source: FleetSource;
  /** Changes statuses: `tick()`, `setStatus(id, patch)`. */
  readonly simulator: FleetSimulator;
  /** The root cache (the routes use its `http` namespace through the Fastify plugin). */
  readonly cache: Cache;
  readonly metrics: CacheMetrics;
  readonly registry: Registry;
  readonly bus: Bus;
  readonly store: 'memory' | 'redis';
  /** The MCP side: the hub and the server factory (`createServer()`, one server per session). */
  readonly mcp: FleetMcp;
  /** The sessions of `/mcp` (Streamable HTTP) on this instance. */
  readonly mcpHttp: McpHttp;
  /** Closes the server and everything `buildApp` created (same as `app.close()`). */
  close(): Promise<void>;
}

/**
 * Builds the fleet demo: a simulated fleet behind Fastify routes cached by `@cachekit/fastify`,
 * SSE fed by the bus, Prometheus metrics and the dashboard. In memory by default; with
 * `redisUrl`, every instance on that Redis shares the fleet, the cache and the bus, and behaves
 * as one service. Resolves once the app is ready (not listening: call `app.listen`).
 */
export async function buildApp(options: FleetAppOptions = {}): Promise<FleetApp> {
  const resolved = resolveFleetOptions(options);
  const instanceId = options.instanceId ?? randomUUID();
  const app = Fastify({
    logger: options.logger ?? false,
    // Bad input is refused, never silently coerced or trimmed.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    schemaErrorFormatter: describeSchemaErrors,
  });
  const assets = await loadDashboardAssets();
  let lastRedisError = '';
  const backend: Backend = await createBackend({
    redisUrl: resolved.redisUrl,
    prefix: resolved.prefix,
    ids: minerIds(resolved.miners),
    instanceId,
    onRedisError: (error) => {
      if (error.message !== lastRedisError) app.log.warn({ err: error }, 'Redis connection error');
      lastRedisError = error.message;
    },
  });
  const cache = createCache({
    namespace: resolved.namespace,
    ...(backend.store === undefined ? {} : { store: backend.store }),
    sync: cacheSync(backend.bus, { namespace: `${resolved.prefix}.${resolved.namespace}` }),
    l1: resolved.l1,
    timeout: '250ms',
  });
  const registry = new Registry();
  if (resolved.processMetrics) collectDefaultMetrics({ register: registry });
  const metrics = cacheMetrics(cache, { prometheus: { registry }, bus: backend.bus });
  const feed = new FleetFeed();
  const bus = fleetBus(backend.bus, resolved.prefix, feed);
  const source = new FleetSource(backend.state, resolved.latencyMs);
  const writeConfig = configWriter({
    source,
    cache,
    fleetBus: bus,
    rewarm: async (minerId) => {
      await app.inject({ method: 'GET', url: `/miners/${encodeURIComponent(minerId)}/config` });
    },
    onAnnounceError: (error) => app.log.warn({ err: error }, 'config change not announced'),
  });
  const mcp = createFleetMcp({
    cache,
    bus: backend.bus,
    channel: `${resolved.prefix}:mcp`,
    source,
    writeConfig,
    onError: (error) => app.log.warn({ err: error }, 'MCP hub'),
  });
  const simulator = new FleetSimulator({
    state: backend.state,
    // Only the instance that made a change tells MCP subscribers (the hub reaches every
    // instance's), so that each change is one notification.
    publish: async (statuses) => {
      await bus.publishStatuses(statuses);
      await mcp.statusesChanged(statuses.map((status) => status.id));
    },
    instanceId,
    intervalMs: resolved.tickMs,
    share: resolved.tickShare,
    onError: (error) => app.log.warn({ err: error }, 'simulation tick failed'),
  });
  const context: FleetContext = {
    source,
    simulator,
    fleetBus: bus,
    feed,
    sse: new SseHub(),
    metrics,
    registry,
    timings: new HttpTimings(),
    instance: { id: instanceId, store: backend.kind, startedAt: Date.now() },
    writeConfig,
    configChanged: (minerId) => mcp.configChanged(minerId),
  };
  const mcpHttp = createMcpHttp({
    createServer: mcp.createServer,
    redis: backend.redis,
    prefix: resolved.prefix,
    onStoreError: (error) => app.log.warn({ err: error }, 'MCP event store'),
  });

  // Shutdown: stop producing, end the streams (they would hold the server open), then release
  // what was created here, in reverse order. Also run if building fails half-way.
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => {
    released ??= (async () => {
      await simulator.stop();
      context.sse.closeAll();
      await mcpHttp.closeAll();
      await mcp.close();
      await bus.stop();
      metrics.close();
      await cache.close();
      await backend.close();
    })();
    return released;
  };
  app.addHook('preClose', async () => {
    await simulator.stop();
    context.sse.closeAll();
    await mcpHttp.closeAll();
  });
  app.addHook('onClose', release);
  app.addHook('onResponse', async (_request, reply) => {
    const cached = reply.getHeader('x-cache');
    if (cached === 'HIT' || cached === 'MISS' || cached === 'STALE') {
      context.timings.record(reply.elapsedTime, cached);
    }
  });

  try {
    await app.register(cachekitFastify, { cache });
    minerRoutes(app, context);
    fleetRoutes(app, context);
    streamRoutes(app, context);
    observabilityRoutes(app, context);
    dashboardRoutes(app, assets);
    mcpHttp.register(app);
    await Promise.all([bus.start(), cache.ready(), mcp.ready()]);
    await app.ready();
  } catch (error) {
    await release();
    await app.close().catch(() => undefined);
    throw error;
  }
  simulator.start();
  return {
    app,
    source,
    simulator,
    cache,
    metrics,
    registry,
    bus: backend.bus,
    store: backend.kind,
    mcp,
    mcpHttp,
    close: () => app.close(),
  };
}
