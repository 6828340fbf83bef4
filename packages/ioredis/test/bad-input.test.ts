import { createCache, InvalidKeyError, InvalidTtlError, SerializationError } from '@cachekit/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisStore } from '../src/index.js';
import { standaloneClient, uniqueName } from './helpers.js';

/** Every key under a namespace, entries and their generation keys, found with SCAN. */
async function keysOf(client: Redis, namespace: string): Promise<string[]> {
  const found: string[] = [];
  for (const match of [`v1:${namespace}:*`, `{v1:${namespace}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found.sort();
}

describe('bad input on real Redis: typed errors, nothing written', () => {
  let client: Redis;

  beforeAll(() => {
    client = standaloneClient();
  });
  afterAll(async () => {
    await client.quit();
  });

  it('refuses invalid TTLs, empty keys, BigInt with JSON and cycles without writing', async () => {
    const namespace = uniqueName('bad');
    const cache = createCache({ store: ioredisStore({ client }), namespace });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: Array<[() => Promise<unknown>, new (...args: never[]) => Error, string]> = [
      [() => cache.set('k', 1, { ttl: 0 }), InvalidTtlError, 'E_INVALID_TTL'],
      [() => cache.set('k', 1, { ttl: -5 }), InvalidTtlError, 'E_INVALID_TTL'],
      [() => cache.set('k', 1, { ttl: Number.NaN }), InvalidTtlError, 'E_INVALID_TTL'],
      [
        () => cache.set('k', 1, { ttl: Number.POSITIVE_INFINITY }),
        InvalidTtlError,
        'E_INVALID_TTL',
      ],
      [() => cache.set('', 1), InvalidKeyError, 'E_INVALID_KEY'],
      [() => cache.set(['a', ''], 1), InvalidKeyError, 'E_INVALID_KEY'],
      [() => cache.set('k', 10n), SerializationError, 'E_SERIALIZE'],
      [() => cache.set('k', { nested: [1n] }), SerializationError, 'E_SERIALIZE'],
      [() => cache.set('k', cyclic), SerializationError, 'E_SERIALIZE'],
      [() => cache.getOrSet('k', async () => 7n), SerializationError, 'E_SERIALIZE'],
    ];
    for (const [call, type, code] of cases) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      expect((error as { code: string }).code).toBe(code);
    }
    expect(await keysOf(client, namespace)).toEqual([]);
  });

  it('escapes ids with * ? [ ] : so they stay single keys inside their namespace', async () => {
    const namespace = uniqueName('ids');
    const cache = createCache({ store: ioredisStore({ client }), namespace });
    const neighbour = createCache({ store: ioredisStore({ client }), namespace: `${namespace}x` });
    await neighbour.set('a', 'keep me');
    for (const id of ['*', 'a*', '?', '[a-z]', 'a:b', 'x\\y']) await cache.set(id, id);
    for (const id of ['*', 'a*', '?', '[a-z]', 'a:b', 'x\\y']) expect(await cache.get(id)).toBe(id);
    const stored = (await keysOf(client, namespace)).filter((key) => !key.startsWith('{'));
    expect(stored).toHaveLength(6);
    for (const key of stored)
      expect(key.slice(`v1:${namespace}:`.length)).not.toMatch(/[*?[\]:\\]/);
    // A pattern made of an id's characters matches literally, never as a glob.
    expect(await cache.deleteMatching('[a-z]')).toBe(1);
    expect(await cache.get('a*')).toBe('a*');
    expect(await cache.deleteMatching('*')).toBe(5);
    expect(await neighbour.get('a')).toBe('keep me');
  });

  it('self-heals a corrupt stored value', async () => {
    const namespace = uniqueName('heal');
    const cache = createCache({ store: ioredisStore({ client }), namespace });
    const codes: string[] = [];
    cache.on('error', (event) => codes.push(event.error.code));
    await client.set(`v1:${namespace}:k`, '\u0000garbage', 'PX', 60_000);
    expect(await cache.getOrSet('k', async () => 'fresh')).toBe('fresh');
    expect(codes).toEqual(['E_CORRUPT_ENTRY']);
    expect(await cache.get('k')).toBe('fresh');
  });
});
