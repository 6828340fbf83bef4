import type { FastifyInstance } from 'fastify';
import type { FleetContext } from './context.js';

/** `/metrics` (Prometheus text from the app's registry) and `/stats` (JSON for the dashboard). */
export function observabilityRoutes(app: FastifyInstance, context: FleetContext): void {
  const { registry, metrics, source, timings, instance, sse } = context;

  app.get('/metrics', async (_request, reply) => {
    reply.header('cache-control', 'no-store').type(registry.contentType);
    return registry.metrics();
  });

  app.get('/stats', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return {
      at: Date.now(),
      instance: {
        id: instance.id,
        store: instance.store,
        uptimeSeconds: Math.round((Date.now() - instance.startedAt) / 1000),
        sseClients: sse.size,
      },
      source: { calls: source.calls, total: source.totalCalls, latencyMs: source.latencyMs },
      cache: metrics.stats(),
      http: timings.window(),
    };
  });
}
