import type { Contender, ContenderSpec } from '../harness/types.js';
import { check } from '../harness/verify.js';
import {
  freshValue,
  type HeapRun,
  type OpenCache,
  readRange,
  type StreamPlan,
  streamKeys,
} from './b9-stream.js';

/** Metric names of B9, one value (or several, for `heap-held`) per run. */
export const HEAP_METRICS = {
  held: 'heap-held',
  slope: 'heap-slope',
  afterClose: 'heap-after-close',
  keysPerSec: 'keys-per-s',
} as const;

/** A started B9 contender: its op is one {@link streamKeys} run on a fresh cache. */
export interface HeapContender extends Contender {
  readonly openCache: OpenCache;
  /** Every run so far (every op is timed: the scenario has no warm-up ops). */
  readonly runs: readonly HeapRun[];
}

/** A contender whose op opens a fresh cache and streams `plan`'s keys through it. */
export function heapContender(
  spec: Pick<ContenderSpec, 'name' | 'role'>,
  openCache: OpenCache,
  plan: Omit<StreamPlan, 'prefix'>,
): HeapContender {
  const runs: HeapRun[] = [];
  let pending: HeapRun[] = [];
  return {
    name: spec.name,
    role: spec.role,
    openCache,
    runs,
    async op() {
      const run = await streamKeys(openCache, { ...plan, prefix: `r${runs.length}:` });
      runs.push(run);
      pending.push(run);
    },
    takeSamples() {
      const taken = {
        [HEAP_METRICS.held]: pending.flatMap((r) => r.held),
        [HEAP_METRICS.slope]: pending.map((r) => r.slope),
        [HEAP_METRICS.afterClose]: pending.map((r) => r.afterClose),
        [HEAP_METRICS.keysPerSec]: pending.map((r) => r.keysPerSec),
      };
      pending = [];
      return taken;
    },
    // Each run closes the cache it opened.
    close: async () => {},
  };
}

/**
 * On a fresh cache bounded at `maxEntries`: a cold read calls the source once and a second read
 * of the key is served in process; after 3x the bound of other keys (each value carrying its
 * key), the latest is still held and the first is not: the bound evicts.
 */
export async function verifyBound(
  openCache: OpenCache,
  plan: Pick<StreamPlan, 'maxEntries' | 'concurrency'>,
): Promise<void> {
  let calls = 0;
  const cache = await openCache(async (key) => {
    calls++;
    return freshValue(key);
  }, plan.maxEntries);
  const heldInProcess = async (key: string): Promise<boolean> => {
    const before = { calls, hits: cache.inProcessHits?.() };
    const value = (await cache.read(key)) as { id?: unknown } | undefined;
    check(value?.id === key, `${key} read a value whose id is ${String(value?.id)}`);
    if (before.hits !== undefined) return cache.inProcessHits?.() === before.hits + 1;
    return calls === before.calls;
  };
  try {
    const prefix = 'verify:';
    const stream = 3 * plan.maxEntries;
    check(!(await heldInProcess(`${prefix}0`)), 'the first read of a key was a hit');
    check(calls === 1, `the first read of a key called the source ${calls} times`);
    check(await heldInProcess(`${prefix}0`), 'a second read of a key was not served in process');
    await readRange(cache, { prefix, concurrency: plan.concurrency }, 1, stream);
    check(calls === stream, `${stream} distinct keys called the source ${calls} times`);
    check(await heldInProcess(`${prefix}${stream - 1}`), 'the latest key is not held in process');
    check(
      !(await heldInProcess(`${prefix}0`)),
      `the first key is still held after ${stream.toLocaleString('en')} others: no bound at ${plan.maxEntries.toLocaleString('en')} entries`,
    );
  } finally {
    await cache.close();
  }
}
