import { EPHEMERAL } from '@cachekit/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedApp, cachePolicy, counter, expectNotStorable, expectStorable } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The user of a `Bearer <user>` token (a stand-in for a verified token). */
const userOf = (request: FastifyRequest): string | undefined =>
  request.headers.authorization?.replace(/^Bearer /, '') || undefined;

const as = (user: string) => ({ url: '/me', headers: { authorization: `Bearer ${user}` } });

describe('Authorization on public routes', () => {
  it('bypasses the cache: the handler answers, marked BYPASS and no-store', async () => {
    const status = counter();
    ({ app } = await cachedApp((a) =>
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, status.handler),
    ));
    await app.inject('/status');
    const headers = { authorization: 'Bearer alice' };
    for (let i = 0; i < 2; i++) {
      const response = await app.inject({ url: '/status', headers });
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.headers['cache-control']).toBe('no-store');
      expectNotStorable(response, { url: '/status', headers });
    }
    expect(status.calls).toBe(3);
  });

  it('keeps a Cache-Control the handler set on a bypassed response', async () => {
    ({ app } = await cachedApp((a) =>
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, async (_request, reply) => {
        reply.header('cache-control', 'private, max-age=5');
        return 'ok';
      }),
    ));
    const response = await app.inject({ url: '/status', headers: { authorization: 'Bearer x' } });
    expect(response.headers['x-cache']).toBe('BYPASS');
    expect(response.headers['cache-control']).toBe('private, max-age=5');
  });
});

describe("scope: 'private'", () => {
  it('keys by principal: two users never see each other, each gets their own HIT', async () => {
    const me = counter((request) => ({ user: userOf(request as FastifyRequest) ?? 'anonymous' }));
    ({ app } = await cachedApp(
      (a) => a.get('/me', { config: { cache: { ttl: '1m', scope: 'private' } } }, me.handler),
      { principal: userOf },
    ));
    const alice = await app.inject(as('alice'));
    expect(alice.json()).toEqual({ n: 1, user: 'alice' });
    expect(alice.headers['x-cache']).toBe('MISS');
    expect(alice.headers['cache-control']).toBe('private, max-age=60');
    const bob = await app.inject(as('bob'));
    expect(bob.json()).toEqual({ n: 2, user: 'bob' });
    expect(bob.headers['x-cache']).toBe('MISS');
    const aliceAgain = await app.inject(as('alice'));
    expect(aliceAgain.headers['x-cache']).toBe('HIT');
    expect(aliceAgain.json()).toEqual({ n: 1, user: 'alice' });
    const bobAgain = await app.inject(as('bob'));
    expect(bobAgain.json()).toEqual({ n: 2, user: 'bob' });
    // A shared cache must not store it; the user's own (private) cache may, for the TTL.
    const request = { url: '/me', headers: { authorization: 'Bearer alice' } };
    expect(cachePolicy(aliceAgain, request, true).storable()).toBe(false);
    const own = cachePolicy(aliceAgain, request, false);
    expect(own.storable()).toBe(true);
    expect(Math.abs(own.timeToLive() - 60_000)).toBeLessThanOrEqual(1000);
    expect(me.calls).toBe(2);
  });

  it('concurrent requests of two users are coalesced per user only', async () => {
    const me = counter((request) => ({ user: userOf(request as FastifyRequest) }));
    ({ app } = await cachedApp(
      (a) => a.get('/me', { config: { cache: { ttl: '1m', scope: 'private' } } }, me.handler),
      { principal: userOf },
    ));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app?.inject(as(i % 2 === 0 ? 'alice' : 'bob'))),
    );
    for (const [i, response] of responses.entries()) {
      expect(response?.json().user).toBe(i % 2 === 0 ? 'alice' : 'bob');
    }
    expect(me.calls).toBe(2);
  });

  it('bypasses when there is no principal', async () => {
    const me = counter();
    ({ app } = await cachedApp(
      (a) => a.get('/me', { config: { cache: { ttl: '1m', scope: 'private' } } }, me.handler),
      { principal: userOf },
    ));
    for (let i = 0; i < 2; i++) {
      const response = await app.inject('/me');
      expect(response.headers['x-cache']).toBe('BYPASS');
      expectNotStorable(response);
    }
    expect(me.calls).toBe(2);
  });

  it("a route's principal overrides the plugin's", async () => {
    const me = counter((request) => ({ tenant: (request as FastifyRequest).headers['x-tenant'] }));
    ({ app } = await cachedApp(
      (a) =>
        a.get(
          '/tenant',
          {
            config: {
              cache: {
                ttl: '1m',
                scope: 'private',
                vary: ['x-tenant'],
                principal: (request) => String(request.headers['x-tenant'] ?? '') || undefined,
              },
            },
          },
          me.handler,
        ),
      { principal: () => 'everyone' },
    ));
    const acme = { url: '/tenant', headers: { 'x-tenant': 'acme' } };
    expect((await app.inject(acme)).json()).toEqual({ n: 1, tenant: 'acme' });
    expect((await app.inject(acme)).headers['x-cache']).toBe('HIT');
    const globex = await app.inject({ url: '/tenant', headers: { 'x-tenant': 'globex' } });
    expect(globex.json()).toEqual({ n: 2, tenant: 'globex' });
    expect((await app.inject('/tenant')).headers['x-cache']).toBe('BYPASS');
  });

  it('a public route next to it stays shared and storable', async () => {
    const status = counter();
    ({ app } = await cachedApp(
      (a) => a.get('/status', { config: { cache: { ttl: '1m' } } }, status.handler),
      { principal: userOf },
    ));
    expect((await app.inject('/status')).headers['x-cache']).toBe('MISS');
    const hit = await app.inject('/status');
    expect(hit.headers['x-cache']).toBe('HIT');
    expectStorable(hit, 60);
  });
});
