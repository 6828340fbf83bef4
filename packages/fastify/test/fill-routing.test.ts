import type { IncomingMessage } from 'node:http';
import { createCache } from '@cachekit/core';
import fc from 'fast-check';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import cachekitFastify from '../src/index.js';
import { isReplayable } from '../src/request-target.js';
import { cachedApp, counter, rawGet } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A route only loopback may call, counting what of it ran. */
function localOnly() {
  const state = {
    hooks: 0,
    calls: 0,
    onRequest: async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      state.hooks++;
      if (request.ip !== '127.0.0.1') return reply.code(403).send('forbidden');
    },
    handler: async () => {
      state.calls++;
      return { secret: 'ADMIN-ONLY' };
    },
  };
  return state;
}

const wildcard = (request: FastifyRequest) => ({
  path: (request.params as Record<string, string>)['*'],
});

/** Cached catch-alls next to a loopback-only `/admin`, listening on a port. */
async function listeningApp() {
  const admin = localOnly();
  const files = counter(wildcard);
  const pages = counter(wildcard);
  ({ app } = await cachedApp((a) => {
    a.get('/files/*', { config: { cache: { ttl: '1m' } } }, files.handler);
    a.get('/*', { config: { cache: { ttl: '1m' } } }, pages.handler);
    a.get('/admin', { onRequest: admin.onRequest }, admin.handler);
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { admin, files, pages, port };
}

describe('CK-1: a fill never lands on another route', () => {
  it.each([
    '/files/../admin',
    '/files/%2e%2e/admin',
    '/files/%2E%2E/admin',
    '/files/.%2e/admin',
    '/files/%2e./admin',
    '/files/./../admin',
    '/x/..\\admin',
    '/x/%2E%2E/admin',
    '/%2e%2e/admin',
    '/x/.\\..\\admin',
  ])('raw target %s: bypasses the cache, /admin never runs', async (target) => {
    const { admin, port } = await listeningApp();
    for (let i = 0; i < 2; i++) {
      const response = await rawGet(port, target);
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('ADMIN-ONLY');
      expect(response.headers['x-cache']).toBe('BYPASS');
    }
    expect(admin.hooks).toBe(0);
    expect(admin.calls).toBe(0);
  });

  it('ordinary targets on the same routes are cached (dots inside a segment are fine)', async () => {
    const { files, pages, port } = await listeningApp();
    for (const target of ['/files/a/b', '/files/v1..2/%2e%2ehidden', '/about.html']) {
      expect((await rawGet(port, target)).headers['x-cache']).toBe('MISS');
      expect((await rawGet(port, target)).headers['x-cache']).toBe('HIT');
    }
    expect(files.calls + pages.calls).toBe(3);
  });

  it('fills come from 192.0.2.1 (TEST-NET-1), never from loopback', async () => {
    const admin = localOnly();
    ({ app } = await cachedApp((a) => {
      a.get('/whoami', { config: { cache: { ttl: '1m' } } }, async (request) => ({
        ip: request.ip,
      }));
      a.get(
        '/local',
        { onRequest: admin.onRequest, config: { cache: { ttl: '1m' } } },
        admin.handler,
      );
    }));
    const whoami = await app.inject('/whoami');
    expect(whoami.headers['x-cache']).toBe('MISS');
    expect(whoami.json()).toEqual({ ip: '192.0.2.1' });
    // The fill is refused by the loopback check; the caller (127.0.0.1) gets the handler's own answer.
    const local = await app.inject('/local');
    expect(local.statusCode).toBe(200);
    expect(local.headers['x-cache']).toBe('BYPASS');
    expect(admin.hooks).toBe(2);
    expect(admin.calls).toBe(1);
  });

  /** `/page` is rewritten to `to` unless `x-site: a` (a header the fill does not carry). */
  const rewriteUnlessSiteA =
    (to: string) =>
    (request: IncomingMessage): string =>
      request.headers['x-site'] === 'a'
        ? (request.url ?? '/')
        : (request.url ?? '/').replace(/^\/page/, to);

  it('a fill routed elsewhere (rewriteUrl on an unforwarded header) is refused before that route runs', async () => {
    const admin = localOnly();
    const page = counter();
    ({ app } = await cachedApp(
      (a) => {
        a.get('/page', { config: { cache: { ttl: '1m' } } }, page.handler);
        a.get('/admin', { onRequest: admin.onRequest }, admin.handler);
      },
      {},
      { rewriteUrl: rewriteUnlessSiteA('/admin') },
    ));
    for (let i = 1; i <= 2; i++) {
      const response = await app.inject({ url: '/page', headers: { 'x-site': 'a' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.json()).toEqual({ n: i });
    }
    expect(admin.hooks).toBe(0);
    expect(admin.calls).toBe(0);
  });

  it('a fill routed to another cached route is refused there too', async () => {
    const page = counter();
    const other = counter(() => ({ other: true }));
    ({ app } = await cachedApp(
      (a) => {
        a.get('/page', { config: { cache: { ttl: '1m' } } }, page.handler);
        a.get('/other', { config: { cache: { ttl: '1m' } } }, other.handler);
      },
      {},
      { rewriteUrl: rewriteUnlessSiteA('/other') },
    ));
    const response = await app.inject({ url: '/page', headers: { 'x-site': 'a' } });
    expect(response.headers['x-cache']).toBe('BYPASS');
    expect(response.json()).toEqual({ n: 1 });
    expect(other.calls).toBe(0);
  });

  it('a fill answered by a route outside the plugin scope is never stored', async () => {
    const admin = localOnly();
    const page = counter();
    app = Fastify({ rewriteUrl: rewriteUnlessSiteA('/admin') });
    app.get('/admin', admin.handler);
    await app.register(async (scope) => {
      await scope.register(cachekitFastify, { cache: createCache() });
      scope.get('/page', { config: { cache: { ttl: '1m' } } }, page.handler);
    });
    await app.ready();
    for (let i = 1; i <= 2; i++) {
      const response = await app.inject({ url: '/page', headers: { 'x-site': 'a' } });
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.json()).toEqual({ n: i });
    }
  });
});

describe('which request targets a fill replays', () => {
  it.each([
    ['/files/a/b?x=1&y=%20', true],
    ['/files/v1..2/.hidden/%2e%2ehidden', true],
    ['//double/slash', true],
    ['/a;b=c/~user', true],
    ['/files/../admin', false],
    ['/files/./admin', false],
    ['/files/..', false],
    ['/files/%2E', false],
    ['/files/.%2E/x', false],
    ['/x\\y', false],
    ['/x%5c..%5cy', true], // an escaped backslash stays escaped: routed and replayed alike
    ['/a?', false],
    ['/a#fragment', false],
    ['/a b', false],
    ['/a?q="x"', false],
    ['http://host/a', false],
    ['*', false],
  ])('%s: %s', (target, expected) => {
    expect(isReplayable(target)).toBe(expected);
  });

  it('property: a replayable target is exactly what inject() sends (WHATWG round trip)', () => {
    const chars = [...'/aZ09-._~!$&\'()*+,;=:@%?#\\ "<>`{}^|[]'];
    const target = fc
      .array(fc.constantFrom(...chars, '%2e', '%2E', '..', '%20'), { maxLength: 16 })
      .map((pieces) => `/${pieces.join('')}`);
    fc.assert(
      fc.property(target, (path) => {
        if (!isReplayable(path)) return;
        const parsed = path.startsWith('//')
          ? new URL(`http://localhost${path}`)
          : new URL(path, 'http://localhost');
        expect(parsed.pathname + parsed.search).toBe(path);
        expect(path.slice(0, (path.indexOf('?') + 1 || path.length + 1) - 1)).not.toMatch(
          /(^|\/)(\.|%2e){1,2}(\/|$)/i,
        );
      }),
      { numRuns: 5_000 },
    );
  });

  it('routes under a prefix (with and without the trailing slash) and rewritten URLs are cached', async () => {
    const root = counter();
    app = Fastify({ rewriteUrl: (request) => (request.url ?? '/').replace(/^\/v1\//, '/') });
    await app.register(cachekitFastify, { cache: createCache() });
    await app.register(
      async (scope) => {
        scope.get('/', { config: { cache: { ttl: '1m' } } }, root.handler);
      },
      { prefix: '/api' },
    );
    await app.ready();
    for (const url of ['/api', '/api/', '/v1/api?x=1']) {
      expect((await app.inject(url)).headers['x-cache']).toBe('MISS');
      expect((await app.inject(url)).headers['x-cache']).toBe('HIT');
    }
    // Keyed by the rewritten URL: the same resource under its other spelling.
    expect((await app.inject('/api?x=1')).headers['x-cache']).toBe('HIT');
    expect(root.calls).toBe(3);
  });
});
