import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ifNoneMatch } from '../src/conditional.js';
import { cachedApp } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Two routes answering the same body: only the key tells their ETags apart. */
async function twins() {
  ({ app } = await cachedApp((a) => {
    a.get('/a', { config: { cache: { ttl: '1m' } } }, async () => ({ same: true }));
    a.get('/b', { config: { cache: { ttl: '1m' } } }, async () => ({ same: true }));
  }));
  const a = await app.inject('/a');
  const b = await app.inject('/b');
  return { a: String(a.headers.etag), b: String(b.headers.etag) };
}

describe('If-None-Match', () => {
  it('matches by weak comparison, `*` and lists', () => {
    expect(ifNoneMatch('"x"', '"x"')).toBe(true);
    expect(ifNoneMatch('W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatch('"y", W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatch(['"y"', '"x"'], '"x"')).toBe(true);
    expect(ifNoneMatch('*', '"x"')).toBe(true);
    expect(ifNoneMatch('"y"', '"x"')).toBe(false);
    expect(ifNoneMatch('x', '"x"')).toBe(false);
    expect(ifNoneMatch(undefined, '"x"')).toBe(false);
  });

  it('304 for the ETag of the same key only, even when the content is the same', async () => {
    const etags = await twins();
    expect(etags.a).not.toBe(etags.b);
    const notModified = await app?.inject({ url: '/a', headers: { 'if-none-match': etags.a } });
    expect(notModified?.statusCode).toBe(304);
    expect(notModified?.payload).toBe('');
    expect(notModified?.headers.etag).toBe(etags.a);
    expect(notModified?.headers['cache-control']).toBe('public, max-age=60');
    expect(notModified?.headers['x-cache']).toBe('HIT');
    const other = await app?.inject({ url: '/b', headers: { 'if-none-match': etags.a } });
    expect(other?.statusCode).toBe(200);
    expect(other?.json()).toEqual({ same: true });
  });

  it('304 for `*`, lists and weak tags; HEAD too', async () => {
    const etags = await twins();
    for (const header of ['*', `"nope", ${etags.a}`, `W/${etags.a}`]) {
      const response = await app?.inject({ url: '/a', headers: { 'if-none-match': header } });
      expect(response?.statusCode).toBe(304);
    }
    const head = await app?.inject({
      method: 'HEAD',
      url: '/a',
      headers: { 'if-none-match': etags.a },
    });
    expect(head?.statusCode).toBe(304);
  });

  it('the ETag changes with the content', async () => {
    let version = 1;
    ({ app } = await cachedApp((a) =>
      a.get('/v', { config: { cache: { ttl: '1m' } } }, async () => ({ version })),
    ));
    const first = String((await app.inject('/v')).headers.etag);
    version = 2;
    await app.cache.invalidate('/v');
    const second = await app.inject({ url: '/v', headers: { 'if-none-match': first } });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ version: 2 });
    expect(second.headers.etag).not.toBe(first);
  });

  it('never 304 for a request that bypassed the cache', async () => {
    const etags = await twins();
    const bypass = await app?.inject({
      url: '/a',
      headers: { 'if-none-match': etags.a, authorization: 'Bearer x' },
    });
    expect(bypass?.statusCode).toBe(200);
    expect(bypass?.headers['x-cache']).toBe('BYPASS');
    const post = await app?.inject({
      method: 'POST',
      url: '/a',
      headers: { 'if-none-match': '*' },
    });
    expect(post?.statusCode).toBe(404);
  });
});
