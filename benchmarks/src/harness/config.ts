import type { RunConfig } from './types.js';

/**
 * The full run: 7 rounds (TARGETS.md asks for at least 5) of 1 s per contender, after a
 * 20,000-op warm-up per contender and 2,000 ops before each timed run; 5,000 ops a round timed
 * one by one for p50/p99.
 */
export const FULL: RunConfig = Object.freeze({
  rounds: 7,
  warmupOps: 20_000,
  roundWarmupOps: 2_000,
  ops: undefined,
  timeMs: 1_000,
  latencySamples: 5_000,
  quick: false,
});

/** The smoke run: tiny sizes, 2 rounds of 2,000 ops, a few hundred latency samples. */
export const QUICK: RunConfig = Object.freeze({
  rounds: 2,
  warmupOps: 500,
  roundWarmupOps: 100,
  ops: 2_000,
  // Used only when `--time-ms` replaces the fixed op count.
  timeMs: 250,
  latencySamples: 200,
  quick: true,
});
