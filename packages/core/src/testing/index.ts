/**
 * `@cachekit/core/testing`: the conformance suites every Store and every Redis Transport passes,
 * and the helpers driver tests want. Runner-agnostic: nothing here imports a test framework.
 */
export { runStoreConformance } from './conformance.js';
export { randomPrefix } from './prefix.js';
export { rawPublish } from './raw-publish.js';
export { runTransportConformance, runTransportFaultConformance } from './transport-conformance.js';
export type {
  TransportConformanceOptions,
  TransportFixture,
  TransportFixtureOptions,
  TransportNode,
  TransportUnderTest,
} from './transport-types.js';
export type { ConformanceOptions, ConformanceRunner, ConformanceTestFn } from './types.js';
export { type WaitForOptions, waitFor } from './wait.js';
