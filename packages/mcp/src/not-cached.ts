import type { Cache, EntryOptions, KeyInput } from '@cachekit/core';

/** Thrown out of a loader to hand a result back without caching it. */
class Uncacheable {
  constructor(readonly result: unknown) {}
}

/**
 * Cache-aside through `cache.getOrSet`, except that a result `cacheable` refuses (an `isError`
 * result) is returned to every waiter of the flight but never stored. Thrown errors are never
 * stored either (core's rule).
 */
export async function getOrSetCacheable<T>(
  cache: Cache,
  key: KeyInput,
  load: () => T | Promise<T>,
  options: EntryOptions,
  cacheable: (result: T) => boolean,
): Promise<T> {
  try {
    return await cache.getOrSet(
      key,
      async () => {
        const result = await load();
        if (!cacheable(result)) throw new Uncacheable(result);
        return result;
      },
      options,
    );
  } catch (error) {
    if (error instanceof Uncacheable) return error.result as T;
    throw error;
  }
}

/** True for results flagged `isError: true` (tool results; read results never should be). */
export function isErrorResult(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    (result as { isError?: unknown }).isError === true
  );
}
