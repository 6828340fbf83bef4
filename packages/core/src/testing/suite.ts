import assert from 'node:assert/strict';
import type { Store, StoreCapabilities } from '../store.js';
import { randomPrefix } from './prefix.js';
import type { ConformanceRunner } from './types.js';

/** Per-case timeout: generous, since cases against a cluster make hundreds of round trips. */
const CASE_TIMEOUT = 20_000;

/** Capabilities that decide whether cases run. */
export type GatedCapability = 'patternDelete' | 'atomicGuards';

/** What the suite was told the store declares: the gating ones always, the others if given. */
export type DeclaredCapabilities = Partial<StoreCapabilities> &
  Readonly<Record<GatedCapability, boolean>>;

/** A case body: the shared store and a fresh key prefix no other case uses. */
export type CaseFn = (store: Store, prefix: string) => Promise<void>;

/** How the `cases-*.ts` files register their cases. */
export interface Suite {
  readonly declared: DeclaredCapabilities;
  /** Groups cases under a name. */
  group(name: string, fn: () => void): void;
  /** Registers a case every store must pass. */
  test(name: string, fn: CaseFn): void;
  /** Registers a case that needs `capability`; skipped, saying why, if the store lacks it. */
  testIf(capability: GatedCapability, name: string, fn: CaseFn): void;
}

export function createSuite(
  runner: ConformanceRunner,
  getStore: () => Store,
  declared: DeclaredCapabilities,
): Suite {
  const run = (fn: CaseFn) => async (): Promise<void> => fn(getStore(), randomPrefix());
  return {
    declared,
    group: (name, fn) => runner.describe(name, fn),
    test: (name, fn) => runner.it(name, run(fn), CASE_TIMEOUT),
    testIf(capability, name, fn) {
      if (!declared[capability]) {
        runner.it.skip(`${name} [skipped: store declares ${capability}: false]`, run(fn));
        return;
      }
      const gated: CaseFn = async (store, prefix) => {
        assert.equal(
          store.capabilities[capability],
          true,
          `the store declares ${capability}: false; pass capabilities: { ${capability}: false } to runStoreConformance`,
        );
        await fn(store, prefix);
      };
      runner.it(name, run(gated), CASE_TIMEOUT);
    },
  };
}
