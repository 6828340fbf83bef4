import type { L2Variant } from './b2-l2-scenario.js';
import { IOREDIS_VARIANTS } from './b2-variants.js';
import {
  asyncCacheDedupeRedisReader,
  bentocacheReader,
  cacheManagerRedisReader,
} from './b3-peers.js';

function b2Variant(name: string): L2Variant {
  const variant = IOREDIS_VARIANTS.find((v) => v.name === name);
  if (variant === undefined) throw new Error(`no B2 variant ${name}`);
  return variant;
}

/** B3: B2's raw ioredis (reference) and cachekit on ioredis (subject) against three peers on Redis only. */
export const PEER_VARIANTS: readonly L2Variant[] = [
  b2Variant('raw-ioredis'),
  b2Variant('cachekit-ioredis'),
  {
    name: 'bentocache',
    role: 'peer',
    cache: true,
    config:
      "new BentoCache({ default: 'redis', prefix, stores: { redis: bentostore().useL2Layer(redisDriver({ connection: new Redis(url) })) } }): L2 only, as its cache-drivers docs show for Redis (an ioredis instance, defaults; no L1 layer, no bus); getOrSet({ key, factory, ttl }).",
    reader: bentocacheReader,
  },
  {
    name: 'cache-manager',
    role: 'peer',
    cache: true,
    config:
      "createCache({ stores: [createKeyv(url)], ttl }) with createKeyv from @keyv/redis (its README's way; node-redis 5 underneath, defaults; no namespace, the README's default for performance): Redis only, no in-memory tier; wrap(key, fn, ttl), which coalesces concurrent calls of a key.",
    reader: cacheManagerRedisReader,
  },
  {
    name: 'async-cache-dedupe',
    role: 'peer',
    cache: true,
    config:
      "createCache({ ttl: 600, storage: { type: 'redis', options: { client: new Redis(url) } } }) as its README shows (ioredis defaults; no invalidation references, no stale), one define()d function called with the id as a string; concurrent calls of a key share one promise.",
    reader: asyncCacheDedupeRedisReader,
  },
];
