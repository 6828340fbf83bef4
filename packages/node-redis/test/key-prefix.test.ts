import { randomUUID } from 'node:crypto';
import { nodeRedisStore } from '@cachekit/node-redis';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';

// node-redis 6's keyPrefix is applied to command keys but not to SCAN MATCH patterns nor removed
// from SCAN replies: the store must do both, or deleteMatching would miss (or double-prefix) keys.
const { standalone } = redisFromInject();
const raw = createClient({ url: standalone.url });
const prefixed = createClient({ url: standalone.url, keyPrefix: 'ck-app[1]:' });

beforeAll(async () => {
  await Promise.all([raw.connect(), prefixed.connect()]);
});

afterAll(async () => {
  await Promise.all([raw.close(), prefixed.close()]);
});

it('keeps every operation, deleteMatching included, inside the client keyPrefix', async () => {
  const store = nodeRedisStore({ client: prefixed });
  const id = randomUUID();
  await store.setMany([
    { key: `${id}:a`, value: '1', ttl: 30_000 },
    { key: `${id}:b`, value: '2', ttl: 30_000 },
  ]);
  await raw.set(`${id}:a`, 'unprefixed', { expiration: { type: 'PX', value: 30_000 } });
  await expect(raw.get(`ck-app[1]:${id}:a`)).resolves.toBe('1');

  await expect(store.deleteMatching(`${id}:*`)).resolves.toBe(2);
  await expect(raw.exists([`ck-app[1]:${id}:a`, `ck-app[1]:${id}:b`])).resolves.toBe(0);
  await expect(raw.get(`${id}:a`)).resolves.toBe('unprefixed');

  const [generation] = await store.bumpGenerations([`${id}:g`], 30_000);
  await expect(raw.get(`ck-app[1]:${id}:g`)).resolves.toBe(generation);
  await raw.unlink([`${id}:a`]);
});
