export { type IoredisStore, ioredisStore } from './ioredis-store.js';
export type {
  IoredisClient,
  IoredisClientOptions,
  IoredisClusterOptions,
  IoredisRedisOptions,
  IoredisStoreOptions,
  IoredisStoreTuning,
} from './options.js';
export { CREATED_CLIENT_DEFAULTS } from './options.js';
export { ioredisTransport } from './transport.js';
export type { IoredisTransport, IoredisTransportOptions } from './transport-options.js';
