import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FleetContext } from './context.js';
import type { MinerStatus } from './fleet-model.js';
import { orNotFound } from './not-found.js';
import { minerParams } from './schemas.js';

/**
 * Server-Sent Events fed by the bus: whichever instance saw a change, every instance's clients get
 * it. Each stream starts with the current state, then sends changes.
 */
export function streamRoutes(app: FastifyInstance, { source, feed, sse }: FleetContext): void {
  // One miner: `status` events, the first one its current status.
  app.get(
    '/miners/:minerId/status/stream',
    { schema: { params: minerParams } },
    async (request: FastifyRequest<{ Params: { minerId: string } }>, reply) => {
      const { minerId } = request.params;
      const pending: MinerStatus[] = [];
      let forward: (status: MinerStatus) => void = (status) => pending.push(status);
      const stop = feed.onStatus((status) => forward(status), minerId);
      const current = await orNotFound(reply, () => source.status(minerId)).catch((error) => {
        stop();
        throw error;
      });
      if (reply.statusCode === 404) {
        stop();
        return current;
      }
      const stream = sse.open(reply, stop);
      forward = (status) => stream.send('status', status);
      const first = current as MinerStatus;
      stream.send('status', first);
      // Changes heard while reading: only those newer than what was read.
      for (const status of pending) if (status.updatedAt > first.updatedAt) forward(status);
      return reply;
    },
  );

  // The whole fleet (the dashboard): one `snapshot` event, then `status` and `config` events.
  app.get('/fleet/stream', async (_request, reply) => {
    const pending: Array<[string, unknown]> = [];
    let forward = (event: string, data: unknown): void => {
      pending.push([event, data]);
    };
    const stops = [
      feed.onStatus((status) => forward('status', status)),
      feed.onConfig((change) => forward('config', change)),
    ];
    const stopAll = (): void => {
      for (const stop of stops) stop();
    };
    let statuses: MinerStatus[];
    try {
      statuses = await source.statuses();
    } catch (error) {
      stopAll();
      throw error;
    }
    const stream = sse.open(reply, stopAll);
    forward = (event, data) => stream.send(event, data);
    stream.send('snapshot', { statuses });
    for (const [event, data] of pending) forward(event, data);
    return reply;
  });
}
