import { createHash } from 'node:crypto';
import { EPHEMERAL } from '@cachekit/core';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalUrl, keyParts, MAX_READABLE_KEY, varyPart } from '../src/cache-key.js';
import { cachedApp, counter, expectNotStorable, expectStorable } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('canonical URLs', () => {
  it('sorts parameters, keeps repeated ones in order, and encodes one way', () => {
    expect(canonicalUrl('/a?b=2&a=1')).toBe('/a?a=1&b=2');
    expect(canonicalUrl('/a?x=2&a=1&x=1')).toBe('/a?a=1&x=2&x=1');
    expect(canonicalUrl('/a?q=x+y')).toBe(canonicalUrl('/a?q=x%20y'));
    expect(canonicalUrl('/a?q=x%2By')).not.toBe(canonicalUrl('/a?q=x+y'));
    expect(canonicalUrl('/a?flag')).toBe(canonicalUrl('/a?flag='));
    expect(canonicalUrl('/a?&&b=1&')).toBe('/a?b=1');
    expect(canonicalUrl('/a?')).toBe('/a');
    expect(canonicalUrl('/%7Euser/%2f')).toBe('/~user/%2F');
    expect(canonicalUrl('http://example.com:8080/a?b=1#frag')).toBe('/a?b=1');
    expect(canonicalUrl('/a?x=%E0%A4%A')).toBe('/a?x=%E0%A4%A');
    expect(canonicalUrl('/a?a=1%26b%3D2')).not.toBe(canonicalUrl('/a?a=1&b=2'));
  });

  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
  const value = fc.string({ maxLength: 12 });
  const params = fc.uniqueArray(fc.tuple(name, value), {
    minLength: 1,
    maxLength: 6,
    selector: ([n]) => n,
  });
  const query = (pairs: ReadonlyArray<readonly [string, string]>): string =>
    pairs.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&');

  it('property: any order of distinct parameters gives the same key', () => {
    fc.assert(
      fc.property(
        params.chain((pairs) =>
          fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length })),
        ),
        ([pairs, shuffled]) => {
          const a = keyParts(canonicalUrl(`/r?${query(pairs)}`), [], undefined);
          const b = keyParts(canonicalUrl(`/r?${query(shuffled)}`), [], undefined);
          expect(b).toEqual(a);
        },
      ),
    );
  });

  it('property: a different value of any parameter gives a different key', () => {
    fc.assert(
      fc.property(params, fc.nat(), value, (pairs, index, other) => {
        const i = index % pairs.length;
        const [n, v] = pairs[i] as [string, string];
        fc.pre(other !== v);
        const changed = pairs.map((pair, j) => (j === i ? ([n, other] as const) : pair));
        const a = keyParts(canonicalUrl(`/r?${query(pairs)}`), [], undefined);
        const b = keyParts(canonicalUrl(`/r?${query(changed)}`), [], undefined);
        expect(b).not.toEqual(a);
      }),
    );
  });

  it('bounds long keys with a hash, still distinct', () => {
    const long = `/r?q=${'x'.repeat(MAX_READABLE_KEY)}`;
    const parts = keyParts(canonicalUrl(long), [], undefined);
    expect(parts).toHaveLength(2);
    expect(parts[0]).not.toBe('GET');
    expect(keyParts(canonicalUrl(`${long}y`), [], undefined)).not.toEqual(parts);
    expect(varyPart('accept', undefined)).toBe('accept');
    expect(varyPart('accept', ' text/html ')).toBe('accept=text/html');
  });
});

describe('CK-3: hashed keys cannot collide with readable ones', () => {
  it("a long key's hash is in a position no resource can occupy", () => {
    const long = 'v'.repeat(MAX_READABLE_KEY + 100);
    const hashed = keyParts(long, [], undefined);
    expect(hashed).toHaveLength(2);
    // Whatever a custom key returns (say, the public digest), it is the second part after 'GET'.
    for (const part of hashed) {
      expect(keyParts(part, [], undefined)).not.toEqual(hashed);
      expect(keyParts(`#${part}`, [], undefined)).not.toEqual(hashed);
    }
  });

  it('parts are hashed unambiguously: a newline inside a part does not shift the others', () => {
    const long = 'a'.repeat(MAX_READABLE_KEY);
    expect(keyParts(long, [], 'x\n@bob')).not.toEqual(keyParts(`${long}\n@x`, [], 'bob'));
    expect(keyParts(long, ['v=1\nw=2'], undefined)).not.toEqual(
      keyParts(`${long}\nv=1`, ['w=2'], undefined),
    );
  });

  it("end to end: a custom key equal to a long key's digest does not serve that entry", async () => {
    const items = counter((request) => ({ id: (request.query as { id: string }).id }));
    ({ app } = await cachedApp((a) =>
      a.get(
        '/item',
        {
          config: { cache: { ttl: '1m', key: (request) => (request.query as { id: string }).id } },
        },
        items.handler,
      ),
    ));
    const longId = 'v'.repeat(400);
    // The attacker knows the key scheme: every part of the hashed key, alone or as '#<digest>'.
    const forged = keyParts(longId, [], undefined).flatMap((part) => [part, `#${part}`]);
    forged.push(`#${createHash('sha256').update(`GET\n${longId}`).digest('base64url')}`);
    for (const id of forged) await app.inject(`/item?id=${encodeURIComponent(id)}`);
    const victim = await app.inject(`/item?id=${longId}`);
    expect(victim.headers['x-cache']).toBe('MISS');
    expect(victim.json().id).toBe(longId);
  });

  it("end to end: a newline in a principal or key does not reach another user's entry", async () => {
    const seen = counter((request) => ({ user: (request.query as { u: string }).u }));
    const long = 'a'.repeat(MAX_READABLE_KEY);
    ({ app } = await cachedApp((a) =>
      a.get(
        '/r',
        {
          config: {
            cache: {
              ttl: '1m',
              scope: 'private',
              key: (request) => (request.query as { k: string }).k,
              principal: (request) => (request.query as { u: string }).u,
            },
          },
        },
        seen.handler,
      ),
    ));
    const first = `/r?k=${long}&u=${encodeURIComponent('x\n@bob')}`;
    const second = `/r?k=${encodeURIComponent(`${long}\n@x`)}&u=bob`;
    expect((await app.inject(first)).headers['x-cache']).toBe('MISS');
    const other = await app.inject(second);
    expect(other.headers['x-cache']).toBe('MISS');
    expect(other.json().user).toBe('bob');
  });
});

describe('keys of requests', () => {
  it('query order does not matter; values do', async () => {
    const search = counter((request) => ({ query: (request as { query: unknown }).query }));
    ({ app } = await cachedApp((a) =>
      a.get('/search', { config: { cache: { policy: EPHEMERAL } } }, search.handler),
    ));
    const first = await app.inject('/search?b=2&a=1');
    expect(first.headers['x-cache']).toBe('MISS');
    const permuted = await app.inject('/search?a=1&b=2');
    expect(permuted.headers['x-cache']).toBe('HIT');
    expect(permuted.json()).toEqual(first.json());
    expect((await app.inject('/search?a=1&b=3')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/search?a=1&b=2&c=')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/search')).headers['x-cache']).toBe('MISS');
    expect(search.calls).toBe(4);
  });

  it('a custom key replaces the URL part', async () => {
    const status = counter();
    ({ app } = await cachedApp((a) =>
      a.get(
        '/miners/:id',
        { config: { cache: { ttl: '1m', key: (request) => `miner:${request.params.id}` } } },
        status.handler,
      ),
    ));
    expect((await app.inject('/miners/1?cachebuster=1')).headers['x-cache']).toBe('MISS');
    expect((await app.inject('/miners/1?cachebuster=2')).headers['x-cache']).toBe('HIT');
    expect((await app.inject('/miners/2')).headers['x-cache']).toBe('MISS');
    expect(status.calls).toBe(2);
  });
});

describe('Vary', () => {
  it('keys by the vary headers, forwards only them, and sends Vary', async () => {
    const seen: Array<Record<string, unknown>> = [];
    ({ app } = await cachedApp((a) =>
      a.get(
        '/greeting',
        { config: { cache: { ttl: '1m', vary: ['Accept-Language'] } } },
        async (request) => {
          seen.push({ ...request.headers });
          return { lang: request.headers['accept-language'] ?? 'none' };
        },
      ),
    ));
    const fr = { 'accept-language': 'fr', 'x-other': 'ignored' };
    const miss = await app.inject({ url: '/greeting', headers: fr });
    expect(miss.json()).toEqual({ lang: 'fr' });
    expect(miss.headers.vary).toBe('accept-language, authorization');
    expectStorable(miss, 60, 0, { url: '/greeting', headers: fr });
    // The fill request carried the keyed header and the fill token, nothing else of the client's.
    expect(seen[0]?.['accept-language']).toBe('fr');
    expect(seen[0]?.['x-other']).toBeUndefined();
    const hit = await app.inject({ url: '/greeting', headers: { 'accept-language': 'fr' } });
    expect(hit.headers['x-cache']).toBe('HIT');
    const de = await app.inject({ url: '/greeting', headers: { 'accept-language': 'de' } });
    expect(de.headers['x-cache']).toBe('MISS');
    expect(de.json()).toEqual({ lang: 'de' });
    const none = await app.inject('/greeting');
    expect(none.headers['x-cache']).toBe('MISS');
    expect(none.json()).toEqual({ lang: 'none' });
    expect((await app.inject('/greeting')).json()).toEqual({ lang: 'none' });
    expect(seen).toHaveLength(3);
  });

  it('does not store a response whose Vary names a header the route does not key by', async () => {
    const status = counter();
    ({ app } = await cachedApp((a) =>
      a.get('/negotiated', { config: { cache: { ttl: '1m' } } }, async (request, reply) => {
        reply.header('vary', 'accept');
        return status.handler(request);
      }),
    ));
    for (let i = 0; i < 2; i++) {
      const response = await app.inject('/negotiated');
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.headers['cache-control']).toBe('no-store');
      expectNotStorable(response);
    }
  });
});
