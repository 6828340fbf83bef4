import type { Store } from '../store.js';
import { registerBasicCases } from './cases-basic.js';
import { registerConcurrencyCases } from './cases-concurrency.js';
import { registerGenerationCases } from './cases-generations.js';
import { registerGuardCases } from './cases-guards.js';
import { registerInvalidateCases } from './cases-invalidate.js';
import { registerLockCases } from './cases-locks.js';
import { registerManyCases } from './cases-many.js';
import { registerPatternCases } from './cases-pattern.js';
import { registerTtlCases } from './cases-ttl.js';
import { createSuite, type DeclaredCapabilities } from './suite.js';
import type { ConformanceOptions, ConformanceRunner } from './types.js';

/** Time for `create()` and `dispose()` (a cluster client may take a while to connect). */
const SETUP_TIMEOUT = 30_000;

/**
 * Registers the store conformance suite, under `store conformance: <name>`, with the runner's
 * `describe`/`it`/`beforeAll`/`afterAll`. The store is created once and shared; every case
 * uses its own random key prefix, so the store may also be shared with other tests.
 *
 * @example
 * runStoreConformance({ describe, it, beforeAll, afterAll }, {
 *   name: 'ioredis',
 *   create: () => ioredisStore({ client }),
 * });
 */
export function runStoreConformance(runner: ConformanceRunner, options: ConformanceOptions): void {
  const declared: DeclaredCapabilities = {
    patternDelete: true,
    atomicGuards: true,
    ...options.capabilities,
  };
  let store: Store | undefined;
  const getStore = (): Store => {
    if (store === undefined) {
      throw new Error(
        `store conformance (${options.name}): no store; did create() fail in beforeAll?`,
      );
    }
    return store;
  };

  runner.describe(`store conformance: ${options.name}`, () => {
    runner.beforeAll(async () => {
      store = await options.create();
    }, SETUP_TIMEOUT);
    runner.afterAll(async () => {
      if (store === undefined) return;
      const created = store;
      store = undefined;
      await (options.dispose === undefined ? created.close() : options.dispose(created));
    }, SETUP_TIMEOUT);

    const suite = createSuite(runner, getStore, declared);
    registerBasicCases(suite);
    registerManyCases(suite);
    registerTtlCases(suite);
    registerPatternCases(suite);
    registerGenerationCases(suite);
    registerGuardCases(suite);
    registerInvalidateCases(suite);
    registerLockCases(suite);
    registerConcurrencyCases(suite);
  });
}
