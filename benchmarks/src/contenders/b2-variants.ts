import type { L2Variant } from './b2-l2-scenario.js';
import {
  cachekitIoredisReader,
  cachekitNodeRedisReader,
  rawIoredisReader,
  rawNodeRedisReader,
} from './b2-readers.js';

const CACHEKIT =
  "createCache({ store, namespace, policy: definePolicy(MODERATE, { ttl: '10m' }) }): cachekit's defaults (no L1, no sync, 1 s timeout, circuit breaker on); getOrSet(id, () => source(id)) per read";

/** B2 on ioredis: the raw client with its defaults (reference) and auto-pipelining, cachekit on each. */
export const IOREDIS_VARIANTS: readonly L2Variant[] = [
  {
    name: 'raw-ioredis',
    role: 'reference',
    cache: false,
    config:
      'new Redis(url) with its defaults; await client.get(key), then JSON.parse: what a user writes by hand, the floor of an L2 read.',
    reader: (options) => rawIoredisReader(options, { enableAutoPipelining: false }),
  },
  {
    name: 'raw-ioredis-autopipelining',
    role: 'peer',
    cache: false,
    config:
      "new Redis(url, { enableAutoPipelining: true }), ioredis's best setting for concurrent commands (its README: commands of one event-loop tick go out in one pipeline); GET + JSON.parse.",
    reader: (options) => rawIoredisReader(options, { enableAutoPipelining: true }),
  },
  {
    name: 'cachekit-ioredis',
    role: 'subject',
    cache: true,
    config: `${CACHEKIT}, store: ioredisStore({ client: new Redis(url) }) (ioredis defaults).`,
    reader: (options) => cachekitIoredisReader(options, { enableAutoPipelining: false }),
  },
  {
    name: 'cachekit-ioredis-autopipelining',
    role: 'subject',
    cache: true,
    config: `${CACHEKIT}, store: ioredisStore({ client: new Redis(url, { enableAutoPipelining: true }) }).`,
    reader: (options) => cachekitIoredisReader(options, { enableAutoPipelining: true }),
  },
];

/** B2 on node-redis: the raw client (reference) and cachekit on it, both with node-redis defaults. */
export const NODE_REDIS_VARIANTS: readonly L2Variant[] = [
  {
    name: 'raw-node-redis',
    role: 'reference',
    cache: false,
    config:
      'await createClient({ url }).connect() with its defaults (commands of one tick are written together); await client.get(key), then JSON.parse.',
    reader: rawNodeRedisReader,
  },
  {
    name: 'cachekit-node-redis',
    role: 'subject',
    cache: true,
    config: `${CACHEKIT}, store: nodeRedisStore({ client }) on a createClient({ url }) of the user's (node-redis defaults).`,
    reader: cachekitNodeRedisReader,
  },
];
