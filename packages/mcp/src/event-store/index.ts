/** Redis-backed EventStore for Streamable HTTP resumability. */
export { InvalidEventIdError } from './errors.js';
export type { EventStoreClient, RedisEventStoreOptions } from './options.js';
export { type RedisEventStore, redisEventStore } from './redis-event-store.js';
