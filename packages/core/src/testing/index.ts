/**
 * `@cachekit/core/testing`: the conformance suite every Store passes, and the helpers driver
 * tests want. Runner-agnostic: nothing here imports a test framework.
 */
export { runStoreConformance } from './conformance.js';
export { randomPrefix } from './prefix.js';
export type { ConformanceOptions, ConformanceRunner, ConformanceTestFn } from './types.js';
export { type WaitForOptions, waitFor } from './wait.js';
