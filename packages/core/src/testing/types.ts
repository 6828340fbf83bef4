import type { Store, StoreCapabilities } from '../store.js';

/** A test body as the runner receives it. */
export type ConformanceTestFn = () => Promise<void> | void;

/**
 * The parts of a test runner the suite uses, typed by shape so that vitest, jest, `node:test`
 * (through a small adapter) or mocha can drive it: pass `{ describe, it, beforeAll, afterAll }`.
 */
export interface ConformanceRunner {
  describe: (name: string, fn: () => void) => void;
  it: ((name: string, fn: ConformanceTestFn, timeout?: number) => void) & {
    skip: (name: string, fn: ConformanceTestFn) => void;
  };
  beforeAll: (fn: ConformanceTestFn, timeout?: number) => void;
  afterAll: (fn: ConformanceTestFn, timeout?: number) => void;
}

/** Options of {@link runStoreConformance}. */
export interface ConformanceOptions {
  /** Shown in test names, e.g. `'ioredis cluster'`. */
  name: string;
  /** Creates the store under test (called once, in `beforeAll`). */
  create: () => Store | Promise<Store>;
  /** Called in `afterAll` with the store. Default: `store.close()`. */
  dispose?: (store: Store) => Promise<void>;
  /**
   * The capabilities the store declares, needed up front because cases are registered before
   * `create()` runs. Cases needing a capability declared `false` are registered as skipped, with
   * the reason in their name. A case checks that `store.capabilities` really says what is declared
   * here. Default: `patternDelete` and `atomicGuards` true; `local` and `cluster` are checked only
   * when given.
   */
  capabilities?: Partial<StoreCapabilities>;
}
