import {
  type Cache,
  type CacheError,
  type Duration,
  EPHEMERAL,
  InvalidOptionError,
  type Policy,
  toMilliseconds,
} from '@cachekit/core';
import type { Bus } from '@cachekit/pubsub';

/** Options of {@link createMcpHub}. */
export interface McpHubOptions {
  /** The cache resources and tools are cached in (never closed by the hub). Required. */
  cache: Cache;
  /**
   * Bus (`@cachekit/pubsub`) carrying change announcements between instances: each hub keeps one
   * subscription and notifies its own sessions. Never disposed by the hub. Default: none (changes
   * reach only this process's sessions).
   */
  bus?: Bus;
  /** Bus channel of the announcements; every instance must use the same. Default `'mcp'`. */
  channel?: string;
  /** Child namespace of `cache` for MCP entries. Default `'mcp'`. */
  namespace?: string;
  /** Largest tool input accepted, in bytes of canonical JSON (larger: an error, nothing cached). Default 65,536. */
  maxInputBytes?: number;
  /** Most resources one session may subscribe to. Default 1,000. */
  maxSubscriptionsPerSession?: number;
  /** Policy of cached template `list` results. Default `EPHEMERAL` (10 s). */
  listPolicy?: Policy;
  /**
   * Longest wait for one session's transport to take one notification (e.g. its event store
   * writing to Redis). A send that is later or fails is counted in `notifyErrors` and reported to
   * `onError`, and never holds up `resourceUpdated`, a mutating tool's result or other sessions.
   * Default `'5s'`.
   */
  notifyTimeout?: Duration;
  /**
   * Called with errors the hub cannot throw to anyone: a notification that could not be sent in
   * time, the bus subscription failing, a mutating tool's invalidation failing, a cached tool's
   * input that cannot be hashed. Default: none (notification failures are still counted in
   * `hub.stats()`).
   */
  onError?: (error: CacheError) => void;
}

export interface ResolvedHubOptions {
  readonly cache: Cache;
  readonly bus: Bus | undefined;
  readonly channel: string;
  readonly namespace: string;
  readonly maxInputBytes: number;
  readonly maxSubscriptionsPerSession: number;
  readonly listPolicy: Policy;
  readonly notifyTimeoutMs: number;
  readonly onError: ((error: CacheError) => void) | undefined;
}

/** Longest delay `setTimeout` honours (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(
      `Invalid ${name} ${String(value)}: use a positive integer (default ${fallback}).`,
    );
  }
  return value;
}

/** Validates and fills in hub options. */
export function resolveHubOptions(options: McpHubOptions): ResolvedHubOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('createMcpHub() needs options: { cache, bus?, channel? }.');
  }
  const { cache, bus } = options;
  if (
    typeof cache !== 'object' ||
    cache === null ||
    typeof cache.getOrSet !== 'function' ||
    typeof cache.namespace !== 'function'
  ) {
    throw new InvalidOptionError('createMcpHub() needs a cache: pass one made with createCache().');
  }
  if (
    bus !== undefined &&
    (typeof bus !== 'object' || bus === null || typeof bus.subscribe !== 'function')
  ) {
    throw new InvalidOptionError(
      'Invalid bus: pass one made with createBus() from @cachekit/pubsub.',
    );
  }
  const channel = options.channel ?? 'mcp';
  if (typeof channel !== 'string' || channel.length === 0) {
    throw new InvalidOptionError(
      `Invalid channel ${JSON.stringify(channel)}: use a non-empty string (default 'mcp').`,
    );
  }
  let notifyTimeoutMs: number;
  try {
    notifyTimeoutMs = toMilliseconds(options.notifyTimeout ?? '5s', 'notifyTimeout');
    if (notifyTimeoutMs > MAX_TIMER_MS) throw new RangeError('longer than a timer can wait');
  } catch (error) {
    throw new InvalidOptionError(
      `Invalid notifyTimeout ${String(options.notifyTimeout)}: use a positive duration such as '5s' or 5000 (default '5s').`,
      { cause: error },
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new InvalidOptionError('Invalid onError: give a function (error) => void.');
  }
  return {
    cache,
    bus,
    channel,
    namespace: options.namespace ?? 'mcp',
    maxInputBytes: positive(options.maxInputBytes, 65_536, 'maxInputBytes'),
    maxSubscriptionsPerSession: positive(
      options.maxSubscriptionsPerSession,
      1_000,
      'maxSubscriptionsPerSession',
    ),
    listPolicy: options.listPolicy ?? EPHEMERAL,
    notifyTimeoutMs,
    onError: options.onError,
  };
}
