import type { FastifyInstance } from 'fastify';
import { FIRMWARE_POLICY, FLEET_TAG, SUMMARY_POLICY } from './cache-policies.js';
import type { FleetContext } from './context.js';

/** `/fleet/summary` (cascades from config changes through the `fleet` tag) and `/firmware/versions`. */
export function fleetRoutes(app: FastifyInstance, { source }: FleetContext): void {
  app.get(
    '/fleet/summary',
    { config: { cache: { policy: SUMMARY_POLICY, tags: [FLEET_TAG] } } },
    () => source.summary(),
  );

  app.get('/firmware/versions', { config: { cache: { policy: FIRMWARE_POLICY } } }, async () => ({
    versions: await source.firmware(),
  }));
}
