import {
  type Cache,
  CacheError,
  createCache,
  definePolicy,
  EPHEMERAL,
  EVENT_DRIVEN,
  InvalidOptionError,
} from '@cachekit/core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import cachekitFastify, {
  fastifyCachekit,
  InvalidRouteCacheError,
  RouteBeforePluginError,
  type RouteCacheOptions,
} from '../src/index.js';

const open: FastifyInstance[] = [];
function fastify(): FastifyInstance {
  const app = Fastify();
  open.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

const cached = { config: { cache: { policy: EPHEMERAL } } };

async function expectBeforePluginError(app: FastifyInstance, url: string): Promise<void> {
  const response = await app.inject(url);
  expect(response.statusCode).toBe(500);
  expect(response.json()).toMatchObject({
    code: RouteBeforePluginError.code,
    message: expect.stringContaining(`GET ${url}`),
  });
}

describe('routes declared before the plugin', () => {
  it('on the same instance: a typed error naming the route', async () => {
    const app = fastify();
    app.get('/early', cached, async () => 'never cached');
    await app.register(cachekitFastify, { cache: createCache() });
    await expectBeforePluginError(app, '/early');
  });

  it('when the plugin registration is not awaited before the route', async () => {
    const app = fastify();
    app.register(cachekitFastify, { cache: createCache() });
    app.get('/early', cached, async () => 'never cached');
    await app.ready();
    await expectBeforePluginError(app, '/early');
  });

  it('in a scope registered before the plugin', async () => {
    const app = fastify();
    await app.register(async (scope) => {
      scope.get('/scoped', cached, async () => 'never cached');
    });
    await app.register(cachekitFastify, { cache: createCache() });
    await expectBeforePluginError(app, '/scoped');
    const error = new RouteBeforePluginError('GET', '/scoped');
    expect(error).toBeInstanceOf(CacheError);
    expect(error.message).toContain('Register the plugin first');
  });

  it('routes without config.cache, declared before, are left alone', async () => {
    const app = fastify();
    app.get('/plain', async () => 'plain');
    await app.register(cachekitFastify, { cache: createCache() });
    const response = await app.inject('/plain');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-cache']).toBeUndefined();
  });
});

describe('invalid route config: a typed error when the route is declared', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no policy or ttl', {}, /needs a policy/],
    ['not an object', 'yes', /must be an object/],
    ['an unknown option', { ttl: '1s', staleWhileRevalidat: '1s' }, /unknown option/],
    ['a zero ttl', { ttl: 0 }, /ttl/],
    ['an unreadable ttl', { ttl: 'soon' }, /ttl/],
    ['ttl + grace above maxTtl', { ttl: '1d', staleIfError: '1h' }, /maxTtl/],
    ['a bad staleWhileRevalidate', { ttl: '1s', staleWhileRevalidate: -5 }, /staleWhileRevalidate/],
    ['vary not an array', { ttl: '1s', vary: 'accept' }, /vary must be an array/],
    ['a bad header name in vary', { ttl: '1s', vary: ['accept language'] }, /invalid header name/],
    ['a bad scope', { ttl: '1s', scope: 'shared' }, /scope must be/],
    ['private without a principal', { ttl: '1s', scope: 'private' }, /no principal/],
    ['key not a function', { ttl: '1s', key: 'k' }, /key must be a function/],
    ['tags not an array', { ttl: '1s', tags: 'miner' }, /tags must be/],
    ['an empty tag', { ttl: '1s', tags: [''] }, /tag/],
    ['a bad maxBodySize', { ttl: '1s', maxBodySize: 0 }, /maxBodySize/],
    ['an unreadable fillTimeout', { ttl: '1s', fillTimeout: 'soon' }, /fillTimeout/],
    ['a zero fillTimeout', { ttl: '1s', fillTimeout: 0 }, /fillTimeout/],
    ['EVENT_DRIVEN without events', { policy: EVENT_DRIVEN }, /EVENT_DRIVEN needs/],
  ];

  it.each(cases)('%s', async (_name, config, message) => {
    const app = fastify();
    await app.register(cachekitFastify, { cache: createCache() });
    let thrown: unknown;
    try {
      app.get('/bad', { config: { cache: config as RouteCacheOptions } }, async () => 'x');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRouteCacheError);
    expect((thrown as InvalidRouteCacheError).code).toBe('E_INVALID_ROUTE_CACHE');
    expect((thrown as Error).message).toMatch(/^Route GET \/bad: config.cache/);
    expect((thrown as Error).message).toMatch(message);
  });

  it('inside a plugin, the error fails ready()', async () => {
    const app = fastify();
    await app.register(cachekitFastify, { cache: createCache() });
    app.register(async (scope) => {
      scope.get('/bad', { config: { cache: {} } }, async () => 'x');
    });
    await expect(app.ready()).rejects.toBeInstanceOf(InvalidRouteCacheError);
  });

  it('a valid EVENT_DRIVEN policy is accepted', async () => {
    const app = fastify();
    await app.register(cachekitFastify, { cache: createCache() });
    const policy = definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] });
    expect(() => app.get('/ok', { config: { cache: { policy } } }, async () => 'x')).not.toThrow();
  });
});

describe('plugin options', () => {
  it.each([
    ['no cache', {}],
    ['a cache that is not one', { cache: { get: () => 1 } }],
    ['a bad namespace', { cache: createCache(), namespace: 'a:b' }],
    ['a principal that is not a function', { cache: createCache(), principal: 'me' }],
  ])('refuses %s with E_INVALID_OPTION', async (_name, options) => {
    const app = fastify();
    await expect(app.register(cachekitFastify, options as never)).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
  });

  it('exports the plugin as default and as fastifyCachekit', () => {
    expect(fastifyCachekit).toBe(cachekitFastify);
    expect(
      (cachekitFastify as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')],
    ).toBe(true);
    expect(
      (cachekitFastify as unknown as Record<symbol, { name: string; fastify: string }>)[
        Symbol.for('plugin-meta')
      ],
    ).toMatchObject({ name: '@cachekit/fastify', fastify: '5.x' });
  });
});

describe('encapsulation', () => {
  async function appWithScopes(cache: Cache): Promise<FastifyInstance> {
    const app = fastify();
    await app.register(async (parent) => {
      await parent.register(cachekitFastify, { cache });
      parent.register(async (a) => {
        a.get('/a', cached, async () => 'a');
      });
      parent.register(async (b) => {
        b.get('/b', cached, async () => 'b');
      });
    });
    app.get('/outside', cached, async () => 'outside');
    await app.ready();
    return app;
  }

  it('routes of sibling scopes are cached; a route outside the plugin scope is not touched', async () => {
    const app = await appWithScopes(createCache());
    for (const url of ['/a', '/b']) {
      expect((await app.inject(url)).headers['x-cache']).toBe('MISS');
      expect((await app.inject(url)).headers['x-cache']).toBe('HIT');
    }
    const outside = await app.inject('/outside');
    expect(outside.statusCode).toBe(200);
    expect(outside.headers['x-cache']).toBeUndefined();
  });

  it('the decorator is visible where the plugin was registered (fastify-plugin), not above', async () => {
    const app = fastify();
    let inner: FastifyInstance | undefined;
    await app.register(async (parent) => {
      await parent.register(cachekitFastify, { cache: createCache(), namespace: 'pages' });
      inner = parent;
    });
    expect(inner?.hasDecorator('cache')).toBe(true);
    expect(inner?.cache.cache.namespaceName).toBe('cache:pages');
    expect(app.hasDecorator('cache')).toBe(false);
  });

  it('never closes the cache it was given', async () => {
    const cache = createCache();
    const app = fastify();
    await app.register(cachekitFastify, { cache });
    app.get('/a', cached, async () => 'a');
    await app.inject('/a');
    await app.close();
    await cache.set('still', 'open');
    expect(await cache.get('still')).toBe('open');
    expect(await cache.namespace('http').get(['GET', '/a'])).toMatchObject({ body: 'a' });
  });
});

describe('types', () => {
  it('accepts callbacks typed for the route (declaration merging on FastifyContextConfig)', async () => {
    const app = fastify();
    await app.register(cachekitFastify, { cache: createCache() });
    const tagsOf = (request: FastifyRequest<{ Params: { id: string } }>): string[] => [
      `miner:${request.params.id}`,
    ];
    const options: RouteCacheOptions = { ttl: '1m', tags: tagsOf, vary: ['accept'] };
    app.get<{ Params: { id: string } }>(
      '/miners/:id',
      { config: { cache: options } },
      async (request) => ({ id: request.params.id }),
    );
    expect((await app.inject('/miners/1')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/miners/1')).headers['x-cache']).toBe('HIT');
    await app.cache.invalidateTags(tagsOf({ params: { id: '1' } } as never));
    expect((await app.inject('/miners/1')).headers['x-cache']).toBe('MISS');
  });
});
