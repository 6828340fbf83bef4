import { type CacheError, type Duration, InvalidOptionError, toMilliseconds } from '@cachekit/core';

/**
 * The commands the store needs, typed by shape: an ioredis `Redis` or `Cluster` (ioredis 5 or 6)
 * has them. node-redis clients are not supported.
 */
export interface EventStoreClient {
  defineCommand(
    name: string,
    definition: { lua: string; numberOfKeys?: number; readOnly?: boolean },
  ): void;
  xrange(
    key: string,
    start: string,
    end: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<Array<[id: string, fields: string[]]>>;
  time(): Promise<Array<number | string>>;
}

/** Options of {@link redisEventStore}. */
export interface RedisEventStoreOptions {
  /**
   * Your ioredis `Redis` or `Cluster`. The store never closes it. It defines one Lua command on it
   * (`cachekitMcpAppendEvent`, sent as EVALSHA with EVAL on `NOSCRIPT`). Give it a
   * `commandTimeout` so that a stopped Redis cannot hold up notifications. Required.
   */
  client: EventStoreClient;
  /** First part of every key (`{<prefix>:<session>}:<stream>`); no `{` or `}`. Default: `'mcp:events'`. */
  prefix?: string;
  /** Most events kept per stream (exact `XADD MAXLEN`); older ones cannot be replayed. Default: `1000`. */
  maxLength?: number;
  /**
   * Events older than this are trimmed on the next write (`XTRIM MINID`) and never replayed, and a
   * stream key expires this long after its last write. Measured with Redis' own clock. Default: `'1h'`.
   */
  maxAge?: Duration;
  /**
   * Called when storing an event fails (the message is still delivered live, but without an event
   * id, so it cannot be replayed) or a stored event cannot be decoded during a replay (it is
   * skipped). Default: `process.emitWarning(error)`.
   */
  onError?: (error: CacheError) => void;
}

/** The options with every default applied. */
export interface ResolvedEventStoreOptions {
  readonly client: EventStoreClient;
  readonly prefix: string;
  readonly maxLength: number;
  readonly maxAgeMs: number;
  readonly onError: (error: CacheError) => void;
}

const DEFAULT_PREFIX = 'mcp:events';
const DEFAULT_MAX_LENGTH = 1000;
const DEFAULT_MAX_AGE: Duration = '1h';

/** Validates the options and applies the defaults; bad options throw {@link InvalidOptionError}. */
export function resolveOptions(options: RedisEventStoreOptions): ResolvedEventStoreOptions {
  const client = options?.client as Partial<EventStoreClient> | undefined;
  if (
    typeof client?.defineCommand !== 'function' ||
    typeof client.xrange !== 'function' ||
    typeof client.time !== 'function'
  ) {
    throw new InvalidOptionError(
      'redisEventStore: `client` must be an ioredis Redis or Cluster (node-redis is not supported).',
    );
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new InvalidOptionError(
      `redisEventStore: \`prefix\` must be a non-empty string without { or }, got ${JSON.stringify(prefix)}.`,
    );
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new InvalidOptionError(
      `redisEventStore: \`maxLength\` must be a positive integer, got ${String(maxLength)}.`,
    );
  }
  let maxAgeMs: number;
  try {
    maxAgeMs = toMilliseconds(options.maxAge ?? DEFAULT_MAX_AGE, 'maxAge');
  } catch (error) {
    throw new InvalidOptionError(
      `redisEventStore: \`maxAge\` must be a positive duration such as '1h' or 600000, got ${String(options.maxAge)}.`,
      { cause: error },
    );
  }
  const onError = options.onError ?? ((error: CacheError) => process.emitWarning(error));
  return { client: client as EventStoreClient, prefix, maxLength, maxAgeMs, onError };
}
