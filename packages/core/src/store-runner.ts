import { type CacheError, StoreTimeoutError, toStoreError } from './errors.js';
import type { Store } from './store.js';

/**
 * Runs store calls with the per-operation timeout (skipped for in-process stores, which cannot
 * hang) and turns every failure into a typed {@link CacheError}.
 */
export class StoreRunner {
  readonly store: Store;
  readonly #timeout: number;
  readonly #local: boolean;

  constructor(store: Store, timeout: number) {
    this.store = store;
    this.#timeout = timeout;
    this.#local = store.capabilities.local;
  }

  run<T>(operation: string, call: (store: Store) => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = call(this.store);
    } catch (error) {
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
      const timer = setTimeout(() => {
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
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(toStoreError(error, operation) as CacheError);
        },
      );
    });
  }
}
