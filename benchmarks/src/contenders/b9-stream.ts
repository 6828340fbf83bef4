import { collectGarbage } from '../harness/measure.js';
import { makeMinerStatus } from './json-value.js';

/** A value as the source returns it: a fresh ~1 KB object per call, its `id` the key. */
export interface SourceValue {
  id: string;
  readonly [field: string]: unknown;
}

/** The slow backend a cache-aside read falls back to. */
export type Source = (key: string) => Promise<SourceValue>;

/** One cache under test, opened for one streaming run. */
export interface StreamedCache {
  /** One cache-aside read of `key` through the library (the source is given at open). */
  read(key: string): Promise<unknown>;
  /**
   * In-process hits so far, for a library whose misses in process may still be answered without
   * the source (cachekit's L1 in front of Redis). Without it, "held in process" means "read
   * without calling the source".
   */
  inProcessHits?(): number;
  close(): Promise<void>;
}

/** Opens a cache holding at most `maxEntries` entries in process, reading from `source`. */
export type OpenCache = (source: Source, maxEntries: number) => Promise<StreamedCache>;

const TEMPLATE = JSON.stringify(makeMinerStatus(1024));

/** A source answering a fresh object for each call (as a parsed network reply would be). */
export function freshValue(key: string): SourceValue {
  const value = JSON.parse(TEMPLATE) as SourceValue;
  value.id = key;
  return value;
}

/** How long and how wide one run streams distinct keys. */
export interface StreamPlan {
  /** Distinct keys read, at least. */
  readonly keys: number;
  /** Streaming time, at least (ms; the pauses for heap samples do not count). */
  readonly soakMs: number;
  /** Reads in flight. */
  readonly concurrency: number;
  /** A heap sample every this many ms of streaming, or every `sampleEveryKeys` keys if sooner. */
  readonly sampleEveryMs: number;
  /** See `sampleEveryMs`; also the most keys read between two looks at the clock. */
  readonly sampleEveryKeys: number;
  /** Samples taken before this many keys (the in-process tier still filling) are left out of the slope. */
  readonly fillKeys: number;
  /** In-process bound handed to {@link OpenCache}. */
  readonly maxEntries: number;
  /** Prefix of this run's keys (distinct from every other run's). */
  readonly prefix: string;
}

/** What one run measured. Heap figures are MiB of `heapUsed` after a forced full collection. */
export interface HeapRun {
  /** Heap over the baseline (before the cache was opened) at each sample, the last one at the end. */
  readonly held: readonly number[];
  /** Least-squares slope of the samples after the fill, over streaming time (MiB per minute). */
  readonly slope: number;
  /** The last sample minus the first one after the fill (MiB). */
  readonly growth: number;
  /** Heap over the baseline once the cache is closed and released. */
  readonly afterClose: number;
  readonly baseline: number;
  readonly keys: number;
  readonly streamingMs: number;
  /** Distinct keys read per second of streaming. */
  readonly keysPerSec: number;
}

const MIB = 1024 * 1024;
/** Keys read between two looks at the clock (at most). */
const BATCH = 2_000;

function heapAfterCollection(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / MIB;
}

/** Least-squares slope of `y` over `x`; NaN for fewer than 2 distinct x. */
export function slopeOf(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Reads keys `from .. to - 1` with `concurrency` reads in flight; throws on a wrong value. */
export async function readRange(
  cache: StreamedCache,
  plan: Pick<StreamPlan, 'prefix' | 'concurrency'>,
  from: number,
  to: number,
): Promise<void> {
  let next = from;
  let wrong: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < to) {
      const key = plan.prefix + next++;
      const value = (await cache.read(key)) as Partial<SourceValue> | undefined;
      if (value?.id !== key) wrong ??= `${key} read a value whose id is ${String(value?.id)}`;
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, lane));
  if (wrong !== undefined) throw new Error(wrong);
}

/**
 * One run: a baseline heap sample, then a fresh cache streams distinct keys (each read once: a
 * miss that loads, stores and fills the in-process tier, evicting) until both `keys` and
 * `soakMs` are reached, with a heap sample every `sampleEveryMs` of streaming; then the cache is
 * closed and released and the heap sampled once more. Every sample follows a forced full
 * collection, so it counts what is held, not garbage (with node --expose-gc, as `npm run bench`
 * runs; without it, as in the test suite's smoke run, the samples include garbage).
 */
export async function streamKeys(open: OpenCache, plan: StreamPlan): Promise<HeapRun> {
  const baseline = heapAfterCollection();
  // In a function of its own: once it has returned, nothing of this frame holds the cache.
  const streamed = await streamThrough(open, plan, baseline);
  return {
    ...streamed,
    slope: slopeOf(streamed.points),
    growth: (streamed.points.at(-1)?.[1] ?? Number.NaN) - (streamed.points[0]?.[1] ?? Number.NaN),
    afterClose: heapAfterCollection() - baseline,
    baseline,
    keysPerSec: streamed.keys / (streamed.streamingMs / 1000),
  };
}

interface Streamed {
  readonly held: readonly number[];
  /** (streaming minutes, held MiB) of the samples after the fill. */
  readonly points: readonly (readonly [number, number])[];
  readonly keys: number;
  readonly streamingMs: number;
}

/** Opens the cache, streams the keys with heap samples, and closes it. */
async function streamThrough(
  open: OpenCache,
  plan: StreamPlan,
  baseline: number,
): Promise<Streamed> {
  const held: number[] = [];
  const points: [number, number][] = [];
  const sample = (keys: number, streamingMs: number): void => {
    const value = heapAfterCollection() - baseline;
    held.push(value);
    if (keys >= plan.fillKeys) points.push([streamingMs / 60_000, value]);
  };
  const cache = await open(async (key) => freshValue(key), plan.maxEntries);
  const batch = Math.min(BATCH, plan.sampleEveryKeys);
  let keys = 0;
  let streamingMs = 0;
  try {
    let sinceSample = 0;
    let keysSinceSample = 0;
    while (keys < plan.keys || streamingMs < plan.soakMs) {
      const started = performance.now();
      await readRange(cache, plan, keys, keys + batch);
      keys += batch;
      keysSinceSample += batch;
      const took = performance.now() - started;
      streamingMs += took;
      sinceSample += took;
      if (sinceSample >= plan.sampleEveryMs || keysSinceSample >= plan.sampleEveryKeys) {
        sinceSample = 0;
        keysSinceSample = 0;
        sample(keys, streamingMs);
      }
    }
    sample(keys, streamingMs);
  } finally {
    await cache.close();
  }
  return { held, points, keys, streamingMs };
}
