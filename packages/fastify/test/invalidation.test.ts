import { definePolicy, EVENT_DRIVEN, InvalidOptionError } from '@cachekit/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedApp, deferred } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A miner source whose version the test bumps. */
function miners() {
  const state = {
    version: 1,
    calls: 0,
    handler: async (request: { params: unknown; headers: Record<string, unknown> }) => {
      state.calls++;
      const { id } = request.params as { id: string };
      return { id, version: state.version, lang: request.headers['accept-language'] ?? null };
    },
  };
  return state;
}

const statusOf = async (url: string, headers: Record<string, string> = {}) => {
  const response = await app?.inject({ url, headers });
  return { cache: response?.headers['x-cache'], body: response?.json() };
};

describe('app.cache.invalidateTags', () => {
  it('drops the entries carrying a tag (fixed or computed), and only those', async () => {
    const source = miners();
    ({ app } = await cachedApp((a) => {
      a.get(
        '/miners/:id',
        {
          config: {
            cache: { ttl: '1m', tags: (request) => [`miner:${request.params.id}`, 'fleet'] },
          },
        },
        source.handler,
      );
      a.get('/fleet/:id', { config: { cache: { ttl: '1m', tags: ['fleet'] } } }, source.handler);
    }));
    for (const url of ['/miners/1', '/miners/2', '/fleet/x']) await statusOf(url);
    source.version = 2;
    await app.cache.invalidateTags(['miner:1']);
    expect(await statusOf('/miners/1')).toMatchObject({ cache: 'MISS', body: { version: 2 } });
    expect(await statusOf('/miners/2')).toMatchObject({ cache: 'HIT', body: { version: 1 } });
    expect(await statusOf('/fleet/x')).toMatchObject({ cache: 'HIT', body: { version: 1 } });
    await app.cache.invalidateTags(['fleet']);
    expect(await statusOf('/miners/2')).toMatchObject({ cache: 'MISS', body: { version: 2 } });
    expect(await statusOf('/fleet/x')).toMatchObject({ cache: 'MISS', body: { version: 2 } });
  });

  it('a fill running when its tag is invalidated answers its request but stores nothing', async () => {
    const started = deferred();
    const gate = deferred();
    let version = 1;
    ({ app } = await cachedApp((a) =>
      a.get('/slow', { config: { cache: { ttl: '1m', tags: ['slow'] } } }, async () => {
        const seen = version;
        started.resolve();
        await gate.promise;
        return { version: seen };
      }),
    ));
    const inFlight = app.inject('/slow');
    await started.promise;
    version = 2;
    await app.cache.invalidateTags(['slow']);
    gate.resolve();
    expect((await inFlight).json()).toEqual({ version: 1 });
    expect(await statusOf('/slow')).toMatchObject({ cache: 'MISS', body: { version: 2 } });
  });
});

describe('app.cache.invalidate(url)', () => {
  it('drops every variant of a URL: Vary values and query order included', async () => {
    const source = miners();
    ({ app } = await cachedApp((a) =>
      a.get(
        '/miners/:id',
        { config: { cache: { ttl: '1m', vary: ['accept-language'] } } },
        source.handler,
      ),
    ));
    await statusOf('/miners/1?a=1&b=2', { 'accept-language': 'fr' });
    await statusOf('/miners/1?a=1&b=2', { 'accept-language': 'de' });
    await statusOf('/miners/2');
    source.version = 2;
    await app.cache.invalidate('/miners/1?b=2&a=1');
    expect(await statusOf('/miners/1?a=1&b=2', { 'accept-language': 'fr' })).toMatchObject({
      cache: 'MISS',
      body: { version: 2, lang: 'fr' },
    });
    expect(await statusOf('/miners/1?a=1&b=2', { 'accept-language': 'de' })).toMatchObject({
      cache: 'MISS',
      body: { version: 2, lang: 'de' },
    });
    expect(await statusOf('/miners/2')).toMatchObject({ cache: 'HIT', body: { version: 1 } });
  });

  it('drops a plain route entry (absolute URLs and HEAD accepted), and every principal of a private one', async () => {
    const source = miners();
    ({ app } = await cachedApp(
      (a) => {
        a.get('/plain/:id', { config: { cache: { ttl: '1m' } } }, source.handler);
        a.get('/mine/:id', { config: { cache: { ttl: '1m', scope: 'private' } } }, source.handler);
      },
      { principal: (request) => String(request.headers.authorization ?? '') || undefined },
    ));
    await statusOf('/plain/1');
    await statusOf('/mine/1', { authorization: 'alice' });
    await statusOf('/mine/1', { authorization: 'bob' });
    source.version = 2;
    await app.cache.invalidate('http://localhost/plain/1', { method: 'HEAD' });
    await app.cache.invalidate('/mine/1');
    expect(await statusOf('/plain/1')).toMatchObject({ cache: 'MISS', body: { version: 2 } });
    for (const user of ['alice', 'bob']) {
      expect(await statusOf('/mine/1', { authorization: user })).toMatchObject({
        cache: 'MISS',
        body: { version: 2 },
      });
    }
  });

  it('refuses other methods and things that are not URLs', async () => {
    ({ app } = await cachedApp(() => undefined));
    await expect(app.cache.invalidate('/a', { method: 'POST' as never })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    await expect(app.cache.invalidate('miners')).rejects.toBeInstanceOf(InvalidOptionError);
  });
});

describe('event-driven invalidation', () => {
  it('app.cache.handleEvent drops the EVENT_DRIVEN entries listing the event', async () => {
    const source = miners();
    const policy = definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] });
    ({ app } = await cachedApp((a) => {
      a.get('/config/:id', { config: { cache: { policy } } }, source.handler);
      a.get('/other/:id', { config: { cache: { ttl: '1m' } } }, source.handler);
    }));
    await statusOf('/config/1');
    await statusOf('/other/1');
    source.version = 2;
    await app.cache.handleEvent('miner.config.updated', { minerId: '1' });
    expect(await statusOf('/config/1')).toMatchObject({ cache: 'MISS', body: { version: 2 } });
    expect(await statusOf('/other/1')).toMatchObject({ cache: 'HIT', body: { version: 1 } });
  });
});
