import type { ChainableCommander, Redis } from 'ioredis';
import { makeMinerStatus } from './json-value.js';

/** What every entry of every key set holds, in every library: ~512 bytes of JSON. */
export const B5_VALUE: unknown = makeMinerStatus(512);
/** {@link B5_VALUE} as JSON, as the hand-written contender stores it. */
export const B5_JSON: string = JSON.stringify(B5_VALUE);
/** TTL of every entry: longer than a run, so that only the invalidation removes an entry. */
export const B5_TTL_MS = 600_000;
/** The key set that no operation invalidates ("keys of another tag"). */
export const CONTROL_SET = 'keep';

/**
 * One library's way to make a set of keys misses (a tag, a pattern or a reference shared by
 * every key of the set), and what the benchmark needs around it: writing the set and removing
 * what is left of it (neither timed), and reading a key back through the library (the checks).
 * Key `i` of set `s` is built from `s` and `i` the library's own way.
 */
export interface Invalidator {
  /** Writes entries `0 .. size - 1` of `set`, each holding {@link B5_VALUE}. Not timed. */
  populate(set: string, size: number): Promise<void>;
  /**
   * The timed call: every entry of `set` becomes a miss. Resolves to the number of keys deleted
   * when the library reports it (pattern deletes), else `undefined`.
   */
  invalidate(set: string): Promise<number | undefined>;
  /** Entry `index` of `set` read through the library (never loading): its value, or `undefined`. */
  read(set: string, index: number): Promise<unknown>;
  /**
   * One untimed round trip on the connection the invalidation uses (a `PING`), right before the
   * timed call, so that it does not pay for waking the connection after the untimed work.
   */
  ping(): Promise<unknown>;
  /** Deletes what an invalidation leaves stored (entries that are misses but still in Redis). Not timed. */
  cleanup(set: string, size: number): Promise<void>;
  close(): Promise<void>;
}

/** Commands per pipeline when writing or deleting a set: a few ms of Redis work each. */
const CHUNK = 2_000;
/** Pipelines in flight at once, so that Redis works on one while the next is encoded. */
const IN_FLIGHT = 4;

/**
 * Queues `count` commands (`add(pipeline, i)` for each `i`) in pipelines of {@link CHUNK}, at most
 * {@link IN_FLIGHT} of them in flight, and throws the first command error.
 */
export async function pipelined(
  client: Redis,
  count: number,
  add: (pipeline: ChainableCommander, index: number) => void,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const start = next;
      const end = Math.min(count, start + CHUNK);
      next = end;
      const pipeline = client.pipeline();
      for (let i = start; i < end; i++) add(pipeline, i);
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) if (error !== null) throw error;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/** UNLINKs `key(0) .. key(count - 1)`, 500 keys a command. */
export async function unlinkAll(
  client: Redis,
  count: number,
  key: (index: number) => string,
): Promise<void> {
  const perCommand = 500;
  await pipelined(client, Math.ceil(count / perCommand), (pipeline, batch) => {
    const keys: string[] = [];
    const end = Math.min(count, (batch + 1) * perCommand);
    for (let i = batch * perCommand; i < end; i++) keys.push(key(i));
    pipeline.unlink(...keys);
  });
}

/**
 * Copies the stored bytes of key `template(0)` to keys `template(1) .. template(size - 1)` with
 * pipelined `SET … PX`: the library wrote the first entry itself, and its stored form does not
 * contain the key, so every copy is exactly what the library would have written.
 */
export async function copyEntry(
  client: Redis,
  size: number,
  key: (index: number) => string,
  ttlMs: number,
): Promise<void> {
  const stored = await client.get(key(0));
  if (stored === null) throw new Error(`the library did not store ${key(0)} where expected`);
  await pipelined(client, size - 1, (pipeline, i) => {
    pipeline.set(key(i + 1), stored, 'PX', ttlMs);
  });
}
