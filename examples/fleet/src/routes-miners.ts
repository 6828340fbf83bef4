import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CONFIG_POLICY,
  CONFIG_UPDATED,
  FLEET_TAG,
  MINERS_POLICY,
  minerTag,
  STATUS_POLICY,
} from './cache-policies.js';
import type { FleetContext } from './context.js';
import type { MinerConfig } from './fleet-model.js';
import { orNotFound } from './not-found.js';
import { minerConfigBody, minerParams } from './schemas.js';

type MinerRequest = FastifyRequest<{ Params: { minerId: string } }>;
const minerTags = (request: FastifyRequest): string[] => [
  minerTag((request.params as { minerId: string }).minerId),
];

/** `/miners`, a miner's status and config (read and write-through). */
export function minerRoutes(app: FastifyInstance, { source, fleetBus }: FleetContext): void {
  app.get('/miners', { config: { cache: { policy: MINERS_POLICY } } }, async () => ({
    miners: await source.miners(),
  }));

  app.get(
    '/miners/:minerId/status',
    {
      schema: { params: minerParams },
      config: { cache: { policy: STATUS_POLICY, tags: minerTags } },
    },
    (request: MinerRequest, reply) =>
      orNotFound(reply, () => source.status(request.params.minerId)),
  );

  app.get(
    '/miners/:minerId/config',
    {
      schema: { params: minerParams },
      config: { cache: { policy: CONFIG_POLICY, tags: minerTags } },
    },
    (request: MinerRequest, reply) =>
      orNotFound(reply, () => source.config(request.params.minerId)),
  );

  // Write-through: the source first; then every instance's cached configs (the event) and the
  // summary (the `fleet` tag) are invalidated; then the GET response is cached again, so the next
  // GET on any instance is a hit with the new config. SSE clients hear of it through the bus.
  app.put(
    '/miners/:minerId/config',
    { schema: { params: minerParams, body: minerConfigBody } },
    async (request: FastifyRequest<{ Params: { minerId: string }; Body: MinerConfig }>, reply) => {
      const { minerId } = request.params;
      const stored = await orNotFound(reply, () => source.writeConfig(minerId, request.body));
      if (reply.statusCode === 404) return stored;
      try {
        await app.cache.handleEvent(CONFIG_UPDATED, { minerId });
        await app.cache.invalidateTags([FLEET_TAG]);
      } catch (error) {
        request.log.error({ err: error }, 'config written, cache invalidation failed');
        reply.code(503);
        return {
          statusCode: 503,
          error: 'Service Unavailable',
          message: `The config of ${minerId} was written, but cached copies could not be invalidated (${(error as Error).message}): retry the PUT.`,
        };
      }
      await fleetBus.publishConfig({ minerId, config: stored as MinerConfig }).catch((error) => {
        request.log.warn({ err: error }, 'config change not announced to SSE clients');
      });
      await app
        .inject({ method: 'GET', url: `/miners/${encodeURIComponent(minerId)}/config` })
        .catch(() => undefined);
      return stored;
    },
  );
}
