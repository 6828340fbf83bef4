import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CONFIG_POLICY, MINERS_POLICY, minerTag, STATUS_POLICY } from './cache-policies.js';
import type { FleetContext } from './context.js';
import { ConfigNotInvalidatedError } from './errors.js';
import type { MinerConfig } from './fleet-model.js';
import { orNotFound } from './not-found.js';
import { minerConfigBody, minerParams } from './schemas.js';

type MinerRequest = FastifyRequest<{ Params: { minerId: string } }>;
const minerTags = (request: FastifyRequest): string[] => [
  minerTag((request.params as { minerId: string }).minerId),
];

/** `/miners`, a miner's status and config (read and write-through). */
export function minerRoutes(
  app: FastifyInstance,
  { source, writeConfig, configChanged }: FleetContext,
): void {
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

  // Write-through (config-writer.ts, shared with the MCP tool): the source first; then every
  // instance's cached configs (the event) and the summary (the `fleet` tag) are invalidated; then
  // the GET response is cached again, so the next GET on any instance is a hit with the new
  // config. SSE clients hear of it through the bus, MCP subscribers through the hub.
  app.put(
    '/miners/:minerId/config',
    { schema: { params: minerParams, body: minerConfigBody } },
    async (request: FastifyRequest<{ Params: { minerId: string }; Body: MinerConfig }>, reply) => {
      const { minerId } = request.params;
      try {
        const stored = await orNotFound(reply, () => writeConfig(minerId, request.body));
        if (reply.statusCode !== 404) {
          await configChanged(minerId).catch((error) => {
            request.log.warn({ err: error }, 'config change not announced to MCP subscribers');
          });
        }
        return stored;
      } catch (error) {
        if (!(error instanceof ConfigNotInvalidatedError)) throw error;
        request.log.error({ err: error }, 'config written, cache invalidation failed');
        reply.code(503);
        return { statusCode: 503, error: 'Service Unavailable', message: error.message };
      }
    },
  );
}
