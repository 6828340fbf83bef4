export { Cache, createCache, type EntryOptions, eventTag } from './cache.js';
export type { CacheDefinition, DefinitionOptions } from './definition.js';
export { type Duration, type DurationUnit, toMilliseconds } from './duration.js';
export type { EntryPlan } from './entry-io.js';
export * from './errors.js';
export * from './events.js';
export {
  type KeyInput,
  type KeyPart,
  KeySpace,
  MAX_KEY_LENGTH,
  type UnsafeIdMode,
} from './keys.js';
export { L1_MISS, type L1Options, LocalTier } from './l1.js';
export type { Loader, LoaderContext } from './loader-run.js';
export { globToRegExp } from './memory/glob.js';
export { LruMap, type LruOptions } from './memory/lru.js';
export { type MemoryStoreOptions, memoryStore } from './memory/memory-store.js';
export type { CacheOptions, ResolvedCacheOptions } from './options.js';
export {
  assertEventName,
  definePolicy,
  EPHEMERAL,
  EVENT_DRIVEN,
  MODERATE,
  NO_CACHE,
  type Policy,
  type PolicyKind,
  type PolicyOverrides,
  policies,
  STABLE,
} from './policies.js';
export { redisScripts } from './redis-scripts.js';
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  type CircuitStateListener,
} from './resilience/circuit-breaker.js';
export type { ResilienceOptions } from './resilience-options.js';
export { jsonSerializer } from './serializers/json.js';
export { losslessSerializer } from './serializers/lossless.js';
export type { Serializer } from './serializers/serializer.js';
export {
  ABSENT_GENERATION,
  type EntryGeneration,
  type GenerationGuard,
  type Store,
  type StoreCapabilities,
  type StoreEntry,
} from './store.js';
export type { CacheSync, InvalidationMessage, SyncListener } from './sync.js';
export type { Transport, TransportCapabilities, TransportHandlers } from './transport.js';
export { ConnectionSlot } from './transport-connection.js';
export {
  connectionError,
  connectionErrorReporter,
  groupBySlot,
  guardHandlers,
  shardedPatternsError,
  Wanted,
} from './transport-kit.js';
export {
  type PubSubDriver,
  type PubSubSubscriber,
  PubSubTransport,
  replaceDelay,
  shardedOption,
} from './transport-shell.js';
export { runBounded, type WarmOptions, type WarmProgress, type WarmReport } from './warm.js';
export { startWarming, type Warming, type WarmingOptions } from './warming.js';
