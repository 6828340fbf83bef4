import { randomUUID } from 'node:crypto';
import { info, type RedisAddress } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A client on the run's shared standalone server (the caller quits it). */
export function standaloneClient(options: RedisOptions = {}): Redis {
  const { standalone } = redisFromInject();
  // `as never`: ioredis 6's constructor types clash with exactOptionalPropertyTypes (replyMapping).
  return new Redis({ host: standalone.host, port: standalone.port, ...options } as never);
}

/** A client on the run's shared cluster (the caller quits it). */
export function clusterClient(options: ClusterOptions = {}): Cluster {
  const { cluster } = redisFromInject();
  return new Cluster(
    cluster.map(({ host, port }) => ({ host, port })),
    options as never,
  );
}

/** A name no other test uses, valid as a cachekit namespace (letters and digits). */
export function uniqueName(label: string): string {
  return `${label}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** A stored entry as the cache frames it: `<header JSON>\n<serialized value>`. */
export interface RawEntry {
  /** Tag generation keys and their generations when the value was loaded: `[key, gen, ...]`. */
  readonly tags: readonly string[];
  readonly value: unknown;
}

/**
 * Reads a raw stored entry (JSON serializer), or `undefined` if it is not a valid frame. Tests use
 * it to see what is really stored, which `cache.get` would hide (stale-tag entries read as misses).
 */
export function decodeRaw(raw: string | null | undefined): RawEntry | undefined {
  if (raw === null || raw === undefined) return undefined;
  const newline = raw.indexOf('\n');
  if (newline === -1) return undefined;
  try {
    const header = JSON.parse(raw.slice(0, newline)) as { t?: string[] };
    return { tags: header.t ?? [], value: JSON.parse(raw.slice(newline + 1)) };
  } catch {
    return undefined;
  }
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A promise with its resolve function, to hold a loader until the test lets it go. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Calls per command from `INFO commandstats` (`cmdstat_get` -> `get`). */
export async function commandCalls(address: RedisAddress): Promise<Map<string, number>> {
  const fields = await info(address, 'commandstats');
  const calls = new Map<string, number>();
  for (const [field, value] of fields) {
    const match = /^calls=(\d+)/.exec(value);
    if (field.startsWith('cmdstat_') && match)
      calls.set(field.slice('cmdstat_'.length), Number(match[1]));
  }
  return calls;
}

/** Count of an error prefix from `INFO errorstats` (`errorstat_NOSCRIPT:count=1`). */
export async function errorCount(address: RedisAddress, prefix: string): Promise<number> {
  const fields = await info(address, 'errorstats');
  const match = /^count=(\d+)/.exec(fields.get(`errorstat_${prefix}`) ?? '');
  return match ? Number(match[1]) : 0;
}
