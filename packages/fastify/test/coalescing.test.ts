import { EPHEMERAL } from '@cachekit/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedApp, deferred } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const CLIENTS = 100;

/**
 * A route whose handler is held until every client request (and the one fill request) has
 * passed the route's own preHandler, which runs right before the plugin's: all of them are then
 * waiting on the cache when the handler is let go.
 */
async function heldRoute() {
  const arrived = deferred();
  const gate = deferred();
  const state = { calls: 0, arrivals: 0, arrived: arrived.promise, release: () => gate.resolve() };
  ({ app } = await cachedApp((a) =>
    a.get(
      '/slow',
      {
        config: { cache: { policy: EPHEMERAL } },
        preHandler: (_request, _reply, done) => {
          if (++state.arrivals === CLIENTS + 1) arrived.resolve();
          done();
        },
      },
      async () => {
        state.calls++;
        await gate.promise;
        return { slow: true };
      },
    ),
  ));
  return state;
}

describe('concurrent misses', () => {
  it('100 concurrent misses (inject): 1 handler call, 1 MISS, 99 HIT', async () => {
    const route = await heldRoute();
    const pending = Array.from({ length: CLIENTS }, () => app?.inject('/slow'));
    await route.arrived;
    route.release();
    const responses = await Promise.all(pending);
    const statuses = responses.map((response) => response?.headers['x-cache']);
    expect(statuses.filter((status) => status === 'MISS')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'HIT')).toHaveLength(CLIENTS - 1);
    for (const response of responses) expect(response?.json()).toEqual({ slow: true });
    expect(route.calls).toBe(1);
  });

  it('100 concurrent misses over real HTTP: 1 handler call', async () => {
    const route = await heldRoute();
    const base = await app?.listen({ port: 0, host: '127.0.0.1' });
    const pending = Array.from({ length: CLIENTS }, () => fetch(`${base}/slow`));
    await route.arrived;
    route.release();
    const responses = await Promise.all(pending);
    const bodies = await Promise.all(responses.map((response) => response.json()));
    for (const body of bodies) expect(body).toEqual({ slow: true });
    const statuses = responses.map((response) => response.headers.get('x-cache'));
    expect(statuses.filter((status) => status === 'MISS')).toHaveLength(1);
    expect(route.calls).toBe(1);
  });
});
