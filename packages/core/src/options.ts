import { type Duration, toMilliseconds } from './duration.js';
import { InvalidOptionError } from './errors.js';
import type { UnsafeIdMode } from './keys.js';
import { assertName } from './keys.js';
import type { L1Options } from './l1.js';
import { assertPolicy, MODERATE, type Policy } from './policies.js';
import type { CircuitBreakerOptions } from './resilience/circuit-breaker.js';
import {
  NO_RESILIENCE,
  type ResilienceOptions,
  type ResolvedResilience,
  resolveResilience,
} from './resilience-options.js';
import { jsonSerializer } from './serializers/json.js';
import type { Serializer } from './serializers/serializer.js';
import type { Store } from './store.js';
import type { CacheSync } from './sync.js';

/** Options of `createCache`. Every one has a default. */
export interface CacheOptions extends ResilienceOptions {
  /** Where entries live. Default: a new `memoryStore()`, closed by `cache.close()`. A store you pass stays yours. */
  store?: Store;
  /** Root namespace of every key (`<version>:<namespace>:...`). Letters, digits, `_.-`. Default: `'cache'`. */
  namespace?: string;
  /** Key version; change it to invalidate everything at once. Default: `'v1'`. */
  version?: string;
  /** Encodes values. Default: `jsonSerializer`. */
  serializer?: Serializer;
  /** Policy of entries that name none. Default: `MODERATE`. */
  policy?: Policy;
  /** Longest a single store call may take before the cache gives up on it and falls back. Default: `'1s'`. */
  timeout?: Duration;
  /**
   * Throw store failures (as `StoreError` / `StoreTimeoutError`) instead of absorbing them.
   * Default: `false`: reads fall back to the loader, writes are skipped, and every failure is
   * reported as an `error` event.
   */
  throwOnStoreError?: boolean;
  /** Longest TTL an entry may have; longer ones are refused. Tag invalidations are remembered this long. Default: `'1d'`. */
  maxTtl?: Duration;
  /**
   * A load that takes longer than this is returned but not stored: an invalidation that happened
   * meanwhile may have been forgotten. Must be <= `maxTtl`. Default: `'1m'`.
   */
  loadGuardWindow?: Duration;
  /** Ids containing `:`, `* ? [ ] \`, `{ }` or `%`: `'escape'` them (`%XX`) or `'reject'` them. Default: `'escape'`. */
  unsafeIds?: UnsafeIdMode;
  /**
   * Keep parsed values in this process (L1) in front of the store: a hit costs a Map lookup
   * instead of a round trip and a parse. `true` for the defaults. Cached objects are shared by
   * every caller: treat them as immutable. With several processes, give `sync` too, or each
   * process may serve a value another one invalidated for up to `l1.ttl`. Default: off.
   */
  l1?: L1Options | boolean;
  /**
   * The bus link (`cacheSync(bus)` from `@cachekit/pubsub`) that tells other processes to drop
   * their L1 copies, delivers domain events for EVENT_DRIVEN policies, and flushes L1 on gaps.
   * Default: none.
   */
  sync?: CacheSync;
  /** How long a distributed-lock holder keeps the lock if it dies mid-load (see `lock`). Default: `'10s'`. */
  lockLease?: Duration;
  /**
   * Stops calling a failing remote store (failure-rate window, then one probe after `openFor`),
   * so that a dead Redis costs nothing per call; `false` to disable. Ignored for in-process
   * stores. Default: on, with `{ failureRate: 0.5, minimumCalls: 10, window: '10s', openFor: '500ms' }`.
   */
  circuitBreaker?: CircuitBreakerOptions | false;
}

/** {@link CacheOptions} with defaults applied and durations in ms. */
export interface ResolvedCacheOptions {
  readonly namespace: string;
  readonly version: string;
  readonly serializer: Serializer;
  readonly policy: Policy;
  readonly timeout: number;
  readonly throwOnStoreError: boolean;
  readonly maxTtl: number;
  readonly loadGuardWindow: number;
  readonly unsafeIds: UnsafeIdMode;
  readonly l1: L1Options | undefined;
  readonly sync: CacheSync | undefined;
  /** Defaults of every entry's grace, timeouts and lock. */
  readonly resilience: ResolvedResilience;
  readonly lockLease: number;
  readonly circuitBreaker: CircuitBreakerOptions | false;
}

/** Applies defaults and validates every option, throwing typed errors that name the option. */
export function resolveOptions(options: CacheOptions): ResolvedCacheOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('createCache expects an options object (or nothing).');
  }
  const namespace = options.namespace ?? 'cache';
  const version = options.version ?? 'v1';
  assertName(namespace, 'namespace');
  assertName(version, 'version');
  const serializer = options.serializer ?? jsonSerializer;
  if (typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
    throw new InvalidOptionError(
      'serializer must have serialize(value) and deserialize(text) functions.',
    );
  }
  const policy = options.policy ?? MODERATE;
  assertPolicy(policy);
  const maxTtl = toMilliseconds(options.maxTtl ?? '1d', 'maxTtl');
  const loadGuardWindow = toMilliseconds(options.loadGuardWindow ?? '1m', 'loadGuardWindow');
  if (loadGuardWindow > maxTtl) {
    throw new InvalidOptionError(
      `loadGuardWindow (${loadGuardWindow} ms) must not exceed maxTtl (${maxTtl} ms).`,
    );
  }
  if (policy.kind !== 'no-cache' && policy.ttl > maxTtl) {
    throw new InvalidOptionError(
      `The default policy's ttl (${policy.ttl} ms) exceeds maxTtl (${maxTtl} ms).`,
    );
  }
  const throwOnStoreError = options.throwOnStoreError ?? false;
  if (typeof throwOnStoreError !== 'boolean') {
    throw new InvalidOptionError('throwOnStoreError must be a boolean.');
  }
  return Object.freeze({
    namespace,
    version,
    serializer,
    policy,
    timeout: toMilliseconds(options.timeout ?? '1s', 'timeout'),
    throwOnStoreError,
    maxTtl,
    loadGuardWindow,
    unsafeIds: options.unsafeIds ?? 'escape',
    l1:
      options.l1 === true
        ? {}
        : options.l1 === false || options.l1 === undefined
          ? undefined
          : options.l1,
    sync: options.sync,
    resilience: resolveResilience(options, NO_RESILIENCE),
    lockLease: toMilliseconds(options.lockLease ?? '10s', 'lockLease'),
    circuitBreaker:
      options.circuitBreaker === false ? false : { openFor: 500, ...options.circuitBreaker },
  });
}
