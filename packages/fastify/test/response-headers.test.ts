import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedApp, cachePolicy, counter, expectNotStorable, expectStorable } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Refreshes the session cookie of any request that has one, as session plugins do. */
function sessionRefresh(a: FastifyInstance): void {
  a.addHook('onRequest', async (request, reply) => {
    const sid = /sid=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    if (sid !== undefined) reply.header('set-cookie', `sid=${sid}; Path=/; HttpOnly`);
  });
}

describe("CK-2: a response carrying this request's Set-Cookie is never shareable", () => {
  it('MISS, HIT and 304 with a cookie set by an app hook go out private, no-store', async () => {
    ({ app } = await cachedApp((a) => {
      sessionRefresh(a);
      a.get('/p', { config: { cache: { ttl: '1m' } } }, async () => ({ ok: 1 }));
    }));
    const headers = { cookie: 'sid=alice-secret' };
    const miss = await app.inject({ url: '/p', headers });
    const hit = await app.inject({ url: '/p', headers });
    const etag = String(hit.headers.etag);
    const revalidated = await app.inject({
      url: '/p',
      headers: { ...headers, 'if-none-match': etag },
    });
    expect(revalidated.statusCode).toBe(304);
    const seen: Array<[typeof miss, string]> = [
      [miss, 'MISS'],
      [hit, 'HIT'],
      [revalidated, 'HIT'],
    ];
    for (const [response, status] of seen) {
      expect(response.headers['x-cache']).toBe(status);
      expect(response.headers['set-cookie']).toBe('sid=alice-secret; Path=/; HttpOnly');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expectNotStorable(response, { url: '/p', headers });
      expect(cachePolicy(response, { url: '/p', headers }, false).storable()).toBe(false);
    }
    // Without a cookie, the same entry is served shareable as before.
    const anonymous = await app.inject('/p');
    expect(anonymous.headers['x-cache']).toBe('HIT');
    expect(anonymous.headers['set-cookie']).toBeUndefined();
    expectStorable(anonymous, 60);
  });

  it("a bypassed response with Set-Cookie loses the handler's public Cache-Control", async () => {
    ({ app } = await cachedApp((a) =>
      a.get('/login', { config: { cache: { ttl: '1m' } } }, async (_request, reply) => {
        reply.header('set-cookie', 'sid=new; Path=/').header('cache-control', 'public, max-age=60');
        return 'ok';
      }),
    ));
    const response = await app.inject('/login');
    expect(response.headers['x-cache']).toBe('BYPASS');
    expect(response.headers['set-cookie']).toBe('sid=new; Path=/');
    expect(response.headers['cache-control']).toBe('private, no-store');
    expectNotStorable(response);
  });
});

describe('Vary sent to downstream caches', () => {
  it('public responses carry Vary: authorization (requests with it bypass the server cache too)', async () => {
    ({ app } = await cachedApp((a) =>
      a.get('/status', { config: { cache: { ttl: '1m' } } }, counter().handler),
    ));
    for (const response of [await app.inject('/status'), await app.inject('/status')]) {
      expect(response.headers.vary).toBe('authorization');
      expectStorable(response, 60, 0, { url: '/status' });
      const policy = cachePolicy(response, { url: '/status' });
      const anonymous = { method: 'GET', url: '/status', headers: { host: 'localhost' } };
      expect(policy.satisfiesWithoutRevalidation(anonymous)).toBe(true);
      const authenticated = {
        ...anonymous,
        headers: { ...anonymous.headers, authorization: 'Bearer bob' },
      };
      expect(policy.satisfiesWithoutRevalidation(authenticated)).toBe(false);
    }
  });

  it("private responses carry Vary: authorization, cookie and the route's vary", async () => {
    const userOf = (request: FastifyRequest): string | undefined =>
      /user=(\w+)/.exec(request.headers.cookie ?? '')?.[1];
    ({ app } = await cachedApp(
      (a) =>
        a.get(
          '/me',
          { config: { cache: { ttl: '1m', scope: 'private', vary: ['accept-language'] } } },
          counter((request) => ({ user: userOf(request as FastifyRequest) })).handler,
        ),
      { principal: userOf },
    ));
    const alice = { host: 'localhost', cookie: 'user=alice' };
    const response = await app.inject({ url: '/me', headers: alice });
    expect(response.headers.vary).toBe('accept-language, authorization, cookie');
    // The browser's own (private) cache keeps it for alice, never hands it to bob.
    const own = cachePolicy(response, { url: '/me', headers: alice }, false);
    expect(own.storable()).toBe(true);
    expect(own.satisfiesWithoutRevalidation({ url: '/me', headers: alice })).toBe(true);
    const bob = { ...alice, cookie: 'user=bob' };
    expect(own.satisfiesWithoutRevalidation({ url: '/me', headers: bob })).toBe(false);
  });
});
