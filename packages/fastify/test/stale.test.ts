import { type Cache, createCache } from '@cachekit/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedApp, type Deferred, deferred, expectStorable, fakeDate } from './helpers.js';

let app: FastifyInstance | undefined;
let clock: ReturnType<typeof fakeDate>;
beforeEach(() => {
  clock = fakeDate();
});
afterEach(async () => {
  clock.restore();
  await app?.close();
  app = undefined;
});

/** A handler counting calls that can be held (`gate`) or made to fail with a 500. */
function source() {
  const state = {
    calls: 0,
    failing: false,
    gate: undefined as Deferred<void> | undefined,
    handler: async (_request: FastifyRequest, reply: FastifyReply) => {
      const n = ++state.calls;
      await state.gate?.promise;
      if (state.failing) {
        reply.code(500);
        return { error: 'source down', n };
      }
      return { n };
    },
  };
  return state;
}

/** Resolves when the cache stores an entry. */
function nextStore(cache: Cache): Promise<void> {
  return new Promise((resolve) => {
    const off = cache.on('set', (event) => {
      if (!event.stored) return;
      off();
      resolve();
    });
  });
}

describe('stale-while-revalidate', () => {
  it('serves STALE at once during the window while exactly one background refresh runs', async () => {
    const cache = createCache();
    const src = source();
    ({ app } = await cachedApp(
      (a) =>
        a.get('/s', { config: { cache: { ttl: '1s', staleWhileRevalidate: '10s' } } }, src.handler),
      { cache },
    ));
    const miss = await app.inject('/s');
    expect(miss.headers['cache-control']).toBe('public, max-age=1, stale-while-revalidate=10');
    expectStorable(miss, 1, 10);
    clock.advance(1_500);
    src.gate = deferred();
    const stored = nextStore(cache);
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => app?.inject('/s')));
    for (const response of concurrent) {
      expect(response?.headers['x-cache']).toBe('STALE');
      expect(response?.json()).toEqual({ n: 1 });
      expect(response?.headers.age).toBe('1');
    }
    for (let i = 0; i < 5; i++) {
      expect((await app.inject('/s')).headers['x-cache']).toBe('STALE');
    }
    expect(src.calls).toBe(2); // the first fill, then one refresh (held)
    src.gate.resolve();
    await stored;
    const fresh = await app.inject('/s');
    expect(fresh.headers['x-cache']).toBe('HIT');
    expect(fresh.json()).toEqual({ n: 2 });
    expect(src.calls).toBe(2);
  });

  it('past the window the entry is gone: a MISS that waits for the handler', async () => {
    const src = source();
    ({ app } = await cachedApp((a) =>
      a.get('/s', { config: { cache: { ttl: '1s', staleWhileRevalidate: '2s' } } }, src.handler),
    ));
    await app.inject('/s');
    clock.advance(3_000);
    const response = await app.inject('/s');
    expect(response.headers['x-cache']).toBe('MISS');
    expect(response.json()).toEqual({ n: 2 });
  });
});

describe('stale-if-error', () => {
  it('serves STALE when the handler answers 5xx within the window, then the error after it', async () => {
    const src = source();
    ({ app } = await cachedApp((a) =>
      a.get('/s', { config: { cache: { ttl: '1s', staleIfError: '5s' } } }, src.handler),
    ));
    const miss = await app.inject('/s');
    expect(miss.headers['cache-control']).toBe('public, max-age=1, stale-if-error=5');
    clock.advance(2_000);
    src.failing = true;
    const stale = await app.inject('/s');
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-cache']).toBe('STALE');
    expect(stale.json()).toEqual({ n: 1 });
    expect(stale.headers.age).toBe('2');
    expectStorable(stale, 1, 5);
    expect(src.calls).toBe(2);
    clock.advance(4_000); // 6 s after it was stored: past TTL + stale-if-error
    const error = await app.inject('/s');
    expect(error.statusCode).toBe(500);
    expect(error.headers['x-cache']).toBe('BYPASS');
    expect(error.headers['cache-control']).toBe('no-store');
    expect(src.calls).toBe(4); // the failed fill, then the request's own handler
    src.failing = false;
    // The failure is remembered for a short while (min(TTL, 2 s)): the handler answers directly.
    const passed = await app.inject('/s');
    expect(passed.headers['x-cache']).toBe('BYPASS');
    expect(passed.json()).toEqual({ n: 5 });
    clock.advance(1_000);
    const recovered = await app.inject('/s');
    expect(recovered.headers['x-cache']).toBe('MISS');
    expect(recovered.json()).toEqual({ n: 6 });
  });

  it('a fresh response from the handler wins over the stale one', async () => {
    const src = source();
    ({ app } = await cachedApp((a) =>
      a.get('/s', { config: { cache: { ttl: '1s', staleIfError: '5s' } } }, src.handler),
    ));
    await app.inject('/s');
    clock.advance(2_000);
    const response = await app.inject('/s');
    expect(response.headers['x-cache']).toBe('MISS');
    expect(response.json()).toEqual({ n: 2 });
  });
});

describe('both windows (stale-if-error longer than stale-while-revalidate)', () => {
  it('STALE at once within SWR; past it, waits for the handler and is STALE only on error', async () => {
    const cache = createCache();
    const src = source();
    ({ app } = await cachedApp(
      (a) =>
        a.get(
          '/s',
          { config: { cache: { ttl: '1s', staleWhileRevalidate: '2s', staleIfError: '10s' } } },
          src.handler,
        ),
      { cache },
    ));
    const miss = await app.inject('/s');
    expect(miss.headers['cache-control']).toBe(
      'public, max-age=1, stale-while-revalidate=2, stale-if-error=10',
    );
    expectStorable(miss, 1, 10);
    // Within the SWR window: stale at once, even while the refresh is held.
    clock.advance(1_500);
    src.gate = deferred();
    let stored = nextStore(cache);
    expect((await app.inject('/s')).headers['x-cache']).toBe('STALE');
    src.gate.resolve();
    src.gate = undefined;
    await stored;
    expect(src.calls).toBe(2);
    // Past the SWR window (3 s stale), within stale-if-error: the request waits for the handler.
    clock.advance(4_000);
    stored = nextStore(cache);
    const waited = await app.inject('/s');
    expect(waited.headers['x-cache']).toBe('MISS');
    expect(waited.json()).toEqual({ n: 3 });
    await stored;
    expect(src.calls).toBe(3);
    // Same, but the handler fails: the stale response is served.
    clock.advance(4_000);
    src.failing = true;
    const fallback = await app.inject('/s');
    expect(fallback.headers['x-cache']).toBe('STALE');
    expect(fallback.json()).toEqual({ n: 3 });
    expect(src.calls).toBe(4);
  });
});

describe("labels and max-age come from the stored entry's own TTL", () => {
  it('an entry filled with another TTL (another instance or config version) is labelled by its own', async () => {
    const cache = createCache();
    const shortSource = source();
    const longSource = source();
    let other: FastifyInstance | undefined;
    try {
      // Two instances sharing one cache, configured with different TTLs for the same route.
      ({ app } = await cachedApp(
        (a) =>
          a.get(
            '/s',
            { config: { cache: { ttl: '10s', staleWhileRevalidate: '1m' } } },
            shortSource.handler,
          ),
        { cache },
      ));
      ({ app: other } = await cachedApp(
        (a) =>
          a.get(
            '/s',
            { config: { cache: { ttl: '1m', staleWhileRevalidate: '1m' } } },
            longSource.handler,
          ),
        { cache },
      ));
      expect((await app.inject('/s')).headers['x-cache']).toBe('MISS');
      clock.advance(20_000);
      // 20 s after a 10 s fill: stale, whatever this instance's own TTL says.
      const stored = nextStore(cache);
      const stale = await other.inject('/s');
      expect(stale.headers['x-cache']).toBe('STALE');
      expect(stale.headers['cache-control']).toBe('public, max-age=10, stale-while-revalidate=60');
      await stored;
      expect(longSource.calls).toBe(1);
      // Refilled with 1 m by the other instance: 20 s later it is still fresh for this one.
      clock.advance(20_000);
      const hit = await app.inject('/s');
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=60');
      expectStorable(hit, 60, 60);
      expect(shortSource.calls).toBe(1);
    } finally {
      await other?.close();
    }
  });
});
