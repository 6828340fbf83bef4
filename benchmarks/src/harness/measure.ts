import type { RunConfig } from './types.js';

const now = process.hrtime.bigint;
/** A timed run reads the clock about this often (ns), so the budget overshoots by at most this. */
const CLOCK_CHECK_NS = 1_000_000n;

/** `global.gc` when node runs with `--expose-gc` (as `npm run bench` does). */
const gc = (globalThis as { gc?: () => void }).gc;

/** True when a full collection can be forced between timed runs. */
export const gcExposed: boolean = gc !== undefined;

/** Forces a full collection if possible, so garbage of one contender is not paid by the next. */
export function collectGarbage(): void {
  gc?.();
}

/** Runs `count` operations one after the other, untimed. */
export async function runOps(op: () => Promise<unknown>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await op();
}

/** Operations done and the time they took. */
export interface TimedRun {
  readonly ops: number;
  readonly elapsedNs: number;
}

/**
 * Times sequential awaited operations: exactly `config.ops` of them, or as many as fit in
 * `config.timeMs` (in batches that grow until one takes about a millisecond, so reading the
 * clock costs nothing measurable).
 */
export async function timeRun(
  op: () => Promise<unknown>,
  config: Pick<RunConfig, 'ops' | 'timeMs'>,
): Promise<TimedRun> {
  if (config.ops !== undefined) {
    const count = config.ops;
    const start = now();
    for (let i = 0; i < count; i++) await op();
    return { ops: count, elapsedNs: Number(now() - start) };
  }
  const budget = BigInt(Math.round(config.timeMs * 1e6));
  const start = now();
  let batch = 1;
  let ops = 0;
  let last = start;
  while (last - start < budget) {
    for (let i = 0; i < batch; i++) await op();
    ops += batch;
    const time = now();
    if (time - last < CLOCK_CHECK_NS) batch *= 2;
    last = time;
  }
  return { ops, elapsedNs: Number(last - start) };
}

/** Times `count` operations one by one and appends each duration (ns) to `into`. */
export async function sampleLatencies(
  op: () => Promise<unknown>,
  count: number,
  into: number[],
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = now();
    await op();
    into.push(Number(now() - start));
  }
}

/** Median cost of reading the clock twice: part of every latency sample, printed for context. */
export function timerOverheadNs(): number {
  const samples: number[] = [];
  for (let i = 0; i < 10_001; i++) {
    const start = now();
    samples.push(Number(now() - start));
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1] ?? 0;
}
