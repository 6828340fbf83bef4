import { isDeepStrictEqual } from 'node:util';
import { collectGarbage } from '../harness/measure.js';
import type { Contender, ContenderSpec } from '../harness/types.js';
import { check, preview } from '../harness/verify.js';
import { B5_VALUE, CONTROL_SET, type Invalidator } from './b5-invalidator.js';

/** Sizes of one scenario run. */
export interface SetSizes {
  /** Keys per set, smallest first: one set of each size per operation, one metric each. */
  readonly sizes: readonly number[];
  /** Metric names of the sizes, in the same order. */
  readonly metrics: readonly string[];
  /** Metric of each operation's largest-size time over its smallest-size time. */
  readonly growthMetric: string;
  /** Keys of the set that is never invalidated. */
  readonly control: number;
}

/** A started B5 contender: its op is one {@link InvalidationContender.cycle}. */
export interface InvalidationContender extends Contender {
  readonly invalidator: Invalidator;
  /** Timed invalidations (ms) per size, kept for the findings (verification's are not). */
  readonly history: readonly (readonly number[])[];
  /** While true, cycles go to no history (verification and its warm-up). */
  verifying: boolean;
  /** The control set's size. */
  readonly control: number;
  /**
   * For each of `setSizes` (a prefix of the scenario's sizes): a fresh set is written (not timed),
   * checked, invalidated (timed), checked again and cleaned up (not timed). The op is one cycle
   * over every size.
   */
  cycle(setSizes: readonly number[]): Promise<void>;
}

/** Positions of `size` keys checked after each invalidation: both ends and 8 spread between. */
export function sampleIndices(size: number): number[] {
  const picked = new Set<number>([0, size - 1]);
  for (let k = 1; k <= 8; k++) picked.add(Math.floor((k * size) / 9));
  return [...picked].filter((i) => i >= 0 && i < size);
}

/** Throws unless every listed key of `set` reads as {@link B5_VALUE} (`hit`) or as a miss. */
export async function expectKeys(
  invalidator: Invalidator,
  set: string,
  indices: readonly number[],
  expected: 'hit' | 'miss',
): Promise<void> {
  const chunk = 200;
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    const values = await Promise.all(part.map((i) => invalidator.read(set, i)));
    for (const [k, value] of values.entries()) {
      const ok = expected === 'miss' ? value === undefined : isDeepStrictEqual(value, B5_VALUE);
      const problem =
        expected === 'miss' ? 'is still served after the invalidation' : 'is not the value stored';
      check(ok, `key ${part[k]} of set ${set} ${problem}: ${preview(value)}`);
    }
  }
}

/**
 * Starts a contender whose operation is one cycle: for each size, a fresh set is written (not
 * timed), checked at {@link sampleIndices}, a full collection is forced and the connection
 * pinged, the set is invalidated (timed, `performance.now()` around the one call), checked again
 * (those keys misses, the control set's untouched) and cleaned up (not timed). A count of deleted
 * keys other than the set's size, or a failed check, fails it.
 */
export async function startInvalidationContender(
  spec: Pick<ContenderSpec, 'name' | 'role'>,
  sizes: SetSizes,
  open: () => Promise<Invalidator>,
): Promise<InvalidationContender> {
  const invalidator = await open();
  try {
    await invalidator.populate(CONTROL_SET, sizes.control);
  } catch (error) {
    await invalidator.close().catch(() => undefined);
    throw error;
  }
  const history: number[][] = sizes.sizes.map(() => []);
  let pending: number[][] = sizes.sizes.map(() => []);
  let sets = 0;
  const controlSample = sampleIndices(sizes.control);
  const contender: InvalidationContender = {
    name: spec.name,
    role: spec.role,
    invalidator,
    history,
    verifying: false,
    control: sizes.control,
    op: () => contender.cycle(sizes.sizes),
    async cycle(setSizes) {
      const times: number[] = [];
      for (const size of setSizes) {
        const set = `s${++sets}`;
        const sample = sampleIndices(size);
        await invalidator.populate(set, size);
        await expectKeys(invalidator, set, sample, 'hit');
        // Writing the set left garbage: collected now, not during the timed call; then one round
        // trip and one event-loop turn, so that the call starts on a settled process.
        collectGarbage();
        await invalidator.ping();
        await new Promise(setImmediate);
        const started = performance.now();
        const deleted = await invalidator.invalidate(set);
        times.push(performance.now() - started);
        check(
          deleted === undefined || deleted === size,
          `the invalidation of ${size} keys deleted ${deleted}`,
        );
        await expectKeys(invalidator, set, sample, 'miss');
        await expectKeys(invalidator, CONTROL_SET, controlSample, 'hit');
        await invalidator.cleanup(set, size);
      }
      for (const [slot, ms] of times.entries()) {
        pending[slot]?.push(ms);
        if (!contender.verifying) history[slot]?.push(ms);
      }
    },
    takeSamples() {
      const taken: Record<string, number[]> = {};
      for (const [slot, name] of sizes.metrics.entries()) taken[name] = pending[slot] ?? [];
      const first = pending[0] ?? [];
      const last = pending[pending.length - 1] ?? [];
      taken[sizes.growthMetric] = last.map((ms, i) => ms / (first[i] ?? Number.NaN));
      pending = sizes.sizes.map(() => []);
      return taken;
    },
    close: () => invalidator.close(),
  };
  return contender;
}
