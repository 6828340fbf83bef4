import { EPHEMERAL, NO_CACHE } from '@cachekit/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedApp, counter, expectNotStorable, expectStorable, fakeDate } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('serving from the cache (inject)', () => {
  it('MISS then HIT, with Age, Cache-Control from the policy, a strong ETag and the handler headers', async () => {
    const status = counter();
    ({ app } = await cachedApp((a) =>
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, async (_request, reply) => {
        reply.header('x-source', 'handler');
        return status.handler(_request);
      }),
    ));
    const miss = await app.inject('/status');
    expect(miss.statusCode).toBe(200);
    expect(miss.json()).toEqual({ n: 1 });
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['cache-control']).toBe('public, max-age=10');
    expect(miss.headers.age).toBe('0');
    expect(miss.headers.etag).toMatch(/^"[\w-]{32}"$/);
    expect(miss.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(miss.headers['x-source']).toBe('handler');
    expectStorable(miss, 10);

    const hit = await app.inject('/status');
    expect(hit.json()).toEqual({ n: 1 });
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(hit.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hit.headers['content-length']).toBe(miss.headers['content-length']);
    expect(hit.headers['x-source']).toBe('handler');
    expectStorable(hit, 10);
    expect(status.calls).toBe(1);
  });

  it('expires after the TTL (fake Date), with Age counting up meanwhile', async () => {
    const clock = fakeDate();
    try {
      const status = counter();
      ({ app } = await cachedApp((a) =>
        a.get('/status', { config: { cache: { ttl: '10s' } } }, status.handler),
      ));
      expect((await app.inject('/status')).headers['x-cache']).toBe('MISS');
      clock.advance(9_999);
      const old = await app.inject('/status');
      expect(old.headers['x-cache']).toBe('HIT');
      expect(old.headers.age).toBe('9');
      expectStorable(old, 10);
      clock.advance(1);
      const fresh = await app.inject('/status');
      expect(fresh.headers['x-cache']).toBe('MISS');
      expect(fresh.json()).toEqual({ n: 2 });
      expect(fresh.headers.age).toBe('0');
      expect(status.calls).toBe(2);
    } finally {
      clock.restore();
    }
  });

  it('HEAD shares the GET entry and answers with the headers only', async () => {
    const status = counter();
    ({ app } = await cachedApp((a) =>
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, status.handler),
    ));
    const head = await app.inject({ method: 'HEAD', url: '/status' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-cache']).toBe('MISS');
    expect(head.payload).toBe('');
    const get = await app.inject('/status');
    expect(get.headers['x-cache']).toBe('HIT');
    expect(get.json()).toEqual({ n: 1 });
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers.etag).toBe(get.headers.etag);
    const again = await app.inject({ method: 'HEAD', url: '/status' });
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.payload).toBe('');
    expectStorable(again, 10, 0, { method: 'HEAD', url: '/status' });
    expect(status.calls).toBe(1);
  });

  it('never caches other methods: they run the handler, marked BYPASS and no-store', async () => {
    const echo = counter();
    ({ app } = await cachedApp((a) =>
      a.route({
        method: ['GET', 'POST', 'DELETE'],
        url: '/echo',
        config: { cache: { policy: EPHEMERAL } },
        handler: echo.handler,
      }),
    ));
    for (const method of ['POST', 'POST', 'DELETE'] as const) {
      const response = await app.inject({ method, url: '/echo' });
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.headers['cache-control']).toBe('no-store');
      expectNotStorable(response, { method, url: '/echo' });
    }
    expect(echo.calls).toBe(3);
    expect((await app.inject('/echo')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/echo')).headers['x-cache']).toBe('HIT');
    expect(echo.calls).toBe(4);
  });

  it('NO_CACHE routes and routes without config.cache are never cached', async () => {
    const none = counter();
    const plain = counter();
    ({ app } = await cachedApp((a) => {
      a.get('/none', { config: { cache: { policy: NO_CACHE } } }, none.handler);
      a.get('/plain', plain.handler);
      a.get('/off', { config: { cache: false } }, plain.handler);
    }));
    for (let i = 0; i < 2; i++) {
      const response = await app.inject('/none');
      expect(response.headers['x-cache']).toBe('BYPASS');
      expectNotStorable(response);
      const untouched = await app.inject('/plain');
      expect(untouched.headers['x-cache']).toBeUndefined();
      expect(untouched.headers['cache-control']).toBeUndefined();
      expect((await app.inject('/off')).headers['x-cache']).toBeUndefined();
    }
    expect(none.calls).toBe(2);
    expect(plain.calls).toBe(4);
  });

  it('keeps binary bodies byte for byte', async () => {
    const bytes = Buffer.from([0, 255, 254, 1, 128, 10, 13, 0xc3, 0x28]);
    ({ app } = await cachedApp((a) =>
      a.get('/blob', { config: { cache: { ttl: '1m' } } }, async (_request, reply) =>
        reply.type('application/octet-stream').send(bytes),
      ),
    ));
    expect((await app.inject('/blob')).rawPayload.equals(bytes)).toBe(true);
    const hit = await app.inject('/blob');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.rawPayload.equals(bytes)).toBe(true);
  });
});

describe('living with the app', () => {
  it("serves cached responses only after the app's own hooks, even ones added after the plugin", async () => {
    const status = counter();
    ({ app } = await cachedApp((a) => {
      a.addHook('preHandler', async (request, reply) => {
        if (request.headers['x-blocked'] === '1') return reply.code(403).send({ denied: true });
      });
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, status.handler);
    }));
    expect((await app.inject('/status')).headers['x-cache']).toBe('MISS');
    const denied = await app.inject({ url: '/status', headers: { 'x-blocked': '1' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ denied: true });
    expect(denied.headers['x-cache']).toBe('BYPASS');
    expect((await app.inject('/status')).headers['x-cache']).toBe('HIT');
  });

  it("headers set by this request's hooks win over the stored ones", async () => {
    let id = 0;
    ({ app } = await cachedApp((a) => {
      a.addHook('onRequest', async (_request, reply) => {
        reply.header('x-request-id', String(++id));
      });
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, async () => 'ok');
    }));
    expect((await app.inject('/status')).headers['x-request-id']).toBe('1'); // 2 was the fill's
    const hit = await app.inject('/status');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['x-request-id']).toBe('3');
  });

  it('leaves unknown URLs and the 404 handler alone', async () => {
    ({ app } = await cachedApp((a) => {
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, async () => 'ok');
    }));
    const missing = await app.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-cache']).toBeUndefined();
  });
});

describe('over real HTTP (listen + fetch)', () => {
  it('MISS then HIT, HEAD, and 304 for the ETag it was given', async () => {
    const status = counter();
    ({ app } = await cachedApp((a) =>
      a.get('/status', { config: { cache: { policy: EPHEMERAL } } }, status.handler),
    ));
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const miss = await fetch(`${base}/status`);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(await miss.json()).toEqual({ n: 1 });
    const hit = await fetch(`${base}/status`);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(await hit.json()).toEqual({ n: 1 });
    expect(hit.headers.get('date')).not.toBeNull();
    const seen = { statusCode: hit.status, headers: Object.fromEntries(hit.headers) };
    expectStorable(seen, 10);
    const head = await fetch(`${base}/status`, { method: 'HEAD' });
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(head.headers.get('content-length')).toBe(hit.headers.get('content-length'));
    expect(await head.text()).toBe('');
    const etag = hit.headers.get('etag') as string;
    const notModified = await fetch(`${base}/status`, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('cache-control')).toBe('public, max-age=10');
    expect(await notModified.text()).toBe('');
    expect(status.calls).toBe(1);
  });
});
