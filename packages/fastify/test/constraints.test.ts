import { createCache } from '@cachekit/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import cachekitFastify, { InvalidRouteCacheError } from '../src/index.js';
import { cachedApp, cachePolicy, counter } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('CK-4: routes with constraints', () => {
  it('host: keyed and forwarded, so the fill reaches the constrained route', async () => {
    const site = counter(() => ({ site: 'A' }));
    const fallback = counter(() => ({ site: 'default' }));
    ({ app } = await cachedApp((a) => {
      a.get(
        '/x',
        { constraints: { host: 'a.example' }, config: { cache: { ttl: '1m' } } },
        site.handler,
      );
      a.get('/x', { config: { cache: { ttl: '1m' } } }, fallback.handler);
    }));
    const a1 = await app.inject({ url: '/x', headers: { host: 'a.example' } });
    expect(a1.json()).toEqual({ n: 1, site: 'A' });
    expect(a1.headers['x-cache']).toBe('MISS');
    const other = await app.inject({ url: '/x', headers: { host: 'b.example' } });
    expect(other.json()).toEqual({ n: 1, site: 'default' });
    expect(other.headers['x-cache']).toBe('MISS');
    const a2 = await app.inject({ url: '/x', headers: { host: 'a.example' } });
    expect(a2.headers['x-cache']).toBe('HIT');
    expect(a2.json()).toEqual({ n: 1, site: 'A' });
    expect((await app.inject({ url: '/x', headers: { host: 'c.example' } })).json().site).toBe(
      'default',
    );
    expect(site.calls).toBe(1);
    expect(fallback.calls).toBe(1);
  });

  it('host as a RegExp: one entry per host value', async () => {
    const site = counter((request) => ({ host: request.host }));
    ({ app } = await cachedApp((a) =>
      a.get(
        '/x',
        { constraints: { host: /\.example$/ }, config: { cache: { ttl: '1m' } } },
        site.handler,
      ),
    ));
    expect((await app.inject({ url: '/x', headers: { host: 'a.example' } })).json()).toEqual({
      n: 1,
      host: 'a.example',
    });
    const b = await app.inject({ url: '/x', headers: { host: 'b.example' } });
    expect(b.headers['x-cache']).toBe('MISS');
    expect(b.json()).toEqual({ n: 2, host: 'b.example' });
  });

  it('version: keyed by Accept-Version, forwarded, and sent in Vary', async () => {
    const v1 = counter(() => ({ v: 1 }));
    const v2 = counter(() => ({ v: 2 }));
    ({ app } = await cachedApp((a) => {
      a.get(
        '/api',
        { constraints: { version: '1.0.0' }, config: { cache: { ttl: '1m' } } },
        v1.handler,
      );
      a.get(
        '/api',
        { constraints: { version: '2.0.0' }, config: { cache: { ttl: '1m' } } },
        v2.handler,
      );
    }));
    const one = { 'accept-version': '1.x' };
    const two = { 'accept-version': '2.x' };
    const first = await app.inject({ url: '/api', headers: one });
    expect(first.json()).toEqual({ n: 1, v: 1 });
    expect(first.headers.vary).toBe('accept-version, authorization');
    const second = await app.inject({ url: '/api', headers: two });
    expect(second.json()).toEqual({ n: 1, v: 2 });
    expect(second.headers['x-cache']).toBe('MISS');
    expect((await app.inject({ url: '/api', headers: one })).headers['x-cache']).toBe('HIT');
    const again = await app.inject({ url: '/api', headers: two });
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.json()).toEqual({ n: 1, v: 2 });
    // A downstream cache keeps the versions apart.
    const policy = cachePolicy(first, { url: '/api', headers: one });
    expect(
      policy.satisfiesWithoutRevalidation({ url: '/api', headers: { host: 'localhost', ...two } }),
    ).toBe(false);
  });

  it('a custom constraint strategy: refused when the route is declared', async () => {
    const tenant = {
      name: 'tenant',
      storage: () => {
        const handlers = new Map<string, unknown>();
        return {
          get: (value: string) => handlers.get(value) ?? null,
          set: (value: string, handler: unknown) => void handlers.set(value, handler),
        };
      },
      deriveConstraint: (request: { headers: Record<string, unknown> }) =>
        String(request.headers['x-tenant'] ?? ''),
      mustMatchWhenDerived: true,
      validate: () => undefined,
    };
    const custom = Fastify({ constraints: { tenant: tenant as never } });
    app = custom;
    await custom.register(cachekitFastify, { cache: createCache() });
    let thrown: unknown;
    try {
      custom.get(
        '/t',
        { constraints: { tenant: 'acme' }, config: { cache: { ttl: '1m' } } },
        async () => 'acme',
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRouteCacheError);
    expect((thrown as Error).message).toMatch(/^Route GET \/t: config.cache .*constraint "tenant"/);
  });
});
