import {
  CacheError,
  CircuitOpenError,
  StoreError,
  StoreTimeoutError,
  toStoreError,
} from './errors.js';
import { CircuitBreaker, type CircuitBreakerOptions } from './resilience/circuit-breaker.js';
import type { Store } from './store.js';

/**
 * Runs store calls with the per-operation timeout (skipped for in-process stores, which cannot
 * hang) and turns every failure into a typed {@link CacheError}.
 */
export class StoreRunner {
  readonly store: Store;
  readonly #timeout: number;
  readonly #local: boolean;
  /** Guards a remote store; undefined for local stores or when disabled. */
  readonly breaker: CircuitBreaker | undefined;
  /** One refusal error per open period: a refused call allocates nothing else. */
  #refusal: CacheError | undefined;

  constructor(store: Store, timeout: number, breaker?: CircuitBreakerOptions | false) {
    this.store = store;
    this.#timeout = timeout;
    this.#local = store.capabilities.local;
    this.breaker = this.#local || breaker === false ? undefined : new CircuitBreaker(breaker);
    this.breaker?.onStateChange((state) => {
      if (state === 'open') this.#refusal = undefined;
    });
  }

  run<T>(operation: string, call: (store: Store) => Promise<T>): Promise<T> {
    const breaker = this.breaker;
    if (breaker !== undefined && !breaker.allow()) {
      this.#refusal ??= new CircuitOpenError(
        `Store "${this.store.name}" is failing; the circuit is open for ${breaker.openFor} ms and calls go to the source.`,
      );
      return Promise.reject(this.#refusal);
    }
    let pending: Promise<T>;
    try {
      pending = call(this.store);
    } catch (error) {
      breaker?.failure();
      return Promise.reject(toStoreError(error, operation));
    }
    if (this.#local) {
      return pending.catch((error: unknown) => {
        throw toStoreError(error, operation);
      });
    }
    const timeout = this.#timeout;
    const storeName = this.store.name;
    return new Promise<T>((resolve, reject) => {
      let reported = false; // the timeout and a late answer must not both report
      const report = (failed: boolean): void => {
        if (reported || breaker === undefined) return;
        reported = true;
        if (failed) breaker.failure();
        else breaker.success();
      };
      const timer = setTimeout(() => {
        report(true);
        reject(
          new StoreTimeoutError(
            `Store "${storeName}" did not answer "${operation}" within ${timeout} ms; ` +
              'the cache fell back to the source. Raise `timeout` if the store is just slow.',
          ),
        );
      }, timeout);
      timer.unref?.();
      pending.then(
        (value) => {
          clearTimeout(timer);
          report(false);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          report(countsAsDown(error));
          reject(toStoreError(error, operation));
        },
      );
    });
  }
}

/** A typed non-store cachekit error (unsupported, bad key...) means the store answered: it is up. */
function countsAsDown(error: unknown): boolean {
  return (
    !(error instanceof CacheError) ||
    error instanceof StoreError ||
    error instanceof StoreTimeoutError
  );
}
