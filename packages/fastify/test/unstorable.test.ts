import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedApp, expectNotStorable, fakeDate } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

type Handler = (request: FastifyRequest, reply: FastifyReply, call: number) => unknown;

/** An app with one cached route `/r` whose handler is `handler`; counts its calls. */
async function routeWith(handler: Handler, maxBodySize?: number) {
  const state = { calls: 0 };
  const cache = { ttl: '1m' as const, ...(maxBodySize === undefined ? {} : { maxBodySize }) };
  ({ app } = await cachedApp((a) =>
    a.get('/r', { config: { cache } }, async (request, reply) =>
      handler(request, reply, ++state.calls),
    ),
  ));
  return state;
}

describe('responses that are never stored', () => {
  it('Set-Cookie: every request runs the handler and gets only its own cookie, even concurrently', async () => {
    await routeWith(async (_request, reply, call) => {
      reply.header('set-cookie', `session=${call}; HttpOnly`);
      return { call };
    });
    const responses = await Promise.all(Array.from({ length: 10 }, () => app?.inject('/r')));
    const cookies = new Set<string>();
    for (const response of responses) {
      if (response === undefined) throw new Error('no response');
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expectNotStorable(response);
      const cookie = String(response.headers['set-cookie']);
      // The body and the cookie come from the same handler call: nothing was shared.
      expect(cookie).toBe(`session=${response.json().call}; HttpOnly`);
      cookies.add(cookie);
    }
    expect(cookies.size).toBe(10);
  });

  it.each([
    [404, 'missing'],
    [301, 'moved'],
    [500, 'broken'],
    [503, 'overloaded'],
  ])('status %i: not stored, the handler answers every request', async (status, text) => {
    const state = await routeWith(async (_request, reply) => reply.code(status).send({ text }));
    for (let i = 1; i <= 3; i++) {
      const response = await app?.inject('/r');
      if (response === undefined) throw new Error('no response');
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ text });
      expect(response.headers['x-cache']).toBe('BYPASS');
      expectNotStorable(response);
    }
    // The verdict is remembered (hit-for-pass): later requests skip the fill (after a 5xx, for
    // a shorter while: see fill-failures.test.ts).
    expect(state.calls).toBe(4);
  });

  it.each([['no-store'], ['no-cache'], ['private, max-age=60']])(
    'Cache-Control %s from the handler on a public route: not stored, kept',
    async (control) => {
      await routeWith(async (_request, reply) => {
        reply.header('cache-control', control);
        return 'ok';
      });
      for (let i = 0; i < 2; i++) {
        const response = await app?.inject('/r');
        expect(response?.headers['x-cache']).toBe('BYPASS');
        expect(response?.headers['cache-control']).toBe(control);
      }
    },
  );

  it('a stream payload: served, not stored', async () => {
    const state = await routeWith(async (_request, reply) =>
      reply.type('text/plain').send(Readable.from(['a', 'b', 'c'])),
    );
    for (let i = 0; i < 2; i++) {
      const response = await app?.inject('/r');
      expect(response?.payload).toBe('abc');
      expect(response?.headers['x-cache']).toBe('BYPASS');
    }
    expect(state.calls).toBe(3);
  });

  it('a body above maxBodySize: served, not stored', async () => {
    await routeWith(
      async (request) =>
        (request.query as { big?: string }).big ? 'x'.repeat(101) : 'x'.repeat(100),
      100,
    );
    const small = await app?.inject('/r');
    expect(small?.headers['x-cache']).toBe('MISS');
    expect((await app?.inject('/r'))?.headers['x-cache']).toBe('HIT');
    const big = await app?.inject('/r?big=1');
    expect(big?.payload).toHaveLength(101);
    expect(big?.headers['x-cache']).toBe('BYPASS');
  });

  it('the "not storable" verdict lasts at most 10 s, then the cache is tried again', async () => {
    const clock = fakeDate();
    try {
      let cookie = true;
      const state = await routeWith(async (_request, reply) => {
        if (cookie) reply.header('set-cookie', 'a=b');
        return 'ok';
      });
      expect((await app?.inject('/r'))?.headers['x-cache']).toBe('BYPASS');
      expect(state.calls).toBe(2);
      cookie = false;
      expect((await app?.inject('/r'))?.headers['x-cache']).toBe('BYPASS');
      expect(state.calls).toBe(3);
      clock.advance(10_000);
      expect((await app?.inject('/r'))?.headers['x-cache']).toBe('MISS');
      expect((await app?.inject('/r'))?.headers['x-cache']).toBe('HIT');
      expect(state.calls).toBe(4);
    } finally {
      clock.restore();
    }
  });

  it('a schema validation error on a cached route is marked BYPASS and no-store', async () => {
    ({ app } = await cachedApp((a) =>
      a.get(
        '/typed',
        {
          schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } },
          config: { cache: { ttl: '1m' } },
        },
        async () => 'ok',
      ),
    ));
    const response = await app.inject('/typed?n=abc');
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-cache']).toBe('BYPASS');
    expectNotStorable(response);
  });
});
