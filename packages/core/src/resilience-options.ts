import { type Duration, toMilliseconds } from './duration.js';

/** How an entry behaves when its value is expired, its loader is slow or fails, or many processes miss it at once. */
export interface ResilienceOptions {
  /**
   * Keep a value this long past its TTL and serve it (as `stale`) when the loader fails
   * (stale-if-error) or is slower than `softTimeout` (stale-while-revalidate). TTL + grace must
   * not exceed `maxTtl`. `0` for none. Default: `0`.
   */
  grace?: Duration | 0;
  /**
   * With a stale value at hand, wait at most this long for the loader, then serve the stale value
   * while the load finishes in the background and stores its result. `0` serves stale at once
   * (pure stale-while-revalidate). Default: none (wait for the loader).
   */
  softTimeout?: Duration | 0;
  /**
   * Abort the loader after this long (its `context.signal` fires): waiters get the stale value if
   * there is one, else a `LoaderTimeoutError`. Default: none.
   */
  hardTimeout?: Duration;
  /**
   * Distributed single-flight: a lease lock in the store so that processes missing the same key
   * run one loader; the others wait for its value (and take over if the holder dies). Default: `false`.
   */
  lock?: boolean;
}

/** {@link ResilienceOptions} in ms (`undefined` = not set). */
export interface ResolvedResilience {
  readonly grace: number;
  readonly softTimeout: number | undefined;
  readonly hardTimeout: number | undefined;
  readonly lock: boolean;
}

/** Resolves `options` over `base`, validating each duration. */
export function resolveResilience(
  options: ResilienceOptions | undefined,
  base: ResolvedResilience,
): ResolvedResilience {
  if (options === undefined) return base;
  return {
    grace: options.grace === undefined ? base.grace : orZero(options.grace, 'grace'),
    softTimeout:
      options.softTimeout === undefined
        ? base.softTimeout
        : orZero(options.softTimeout, 'softTimeout'),
    hardTimeout:
      options.hardTimeout === undefined
        ? base.hardTimeout
        : toMilliseconds(options.hardTimeout, 'hardTimeout'),
    lock: options.lock ?? base.lock,
  };
}

/** No grace, no timeouts, no lock. */
export const NO_RESILIENCE: ResolvedResilience = Object.freeze({
  grace: 0,
  softTimeout: undefined,
  hardTimeout: undefined,
  lock: false,
});

function orZero(value: Duration | 0, what: string): number {
  return value === 0 ? 0 : toMilliseconds(value, what);
}
