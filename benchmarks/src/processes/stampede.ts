import type { StampedeArgs, StampedeReply } from './protocol.js';
import { wallClock } from './protocol.js';
import { valueFor, versionOf } from './worker-value.js';

/** A cache-aside read: the cache under test's `getOrSet`. */
export type CacheRead = (key: string, loader: () => Promise<unknown>) => Promise<unknown>;

/**
 * `count` concurrent cold reads of `key` through `read`, every loader call taking `loaderMs`:
 * how many loader calls ran here, when the first returned, when the last caller was answered,
 * and how many callers got something other than the loaded value (checked once all answered,
 * so that checking delays no answer).
 */
export async function runStampede(
  read: CacheRead,
  { key, count, loaderMs }: StampedeArgs,
): Promise<StampedeReply> {
  let loaderCalls = 0;
  let loaderEnd: number | null = null;
  let lastAnswer = 0;
  const loader = async (): Promise<unknown> => {
    loaderCalls++;
    await new Promise((resolve) => setTimeout(resolve, loaderMs));
    loaderEnd ??= wallClock();
    return valueFor(key, 1);
  };
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      read(key, loader).then((value) => {
        lastAnswer = wallClock();
        return value;
      }),
    ),
  );
  const wrong = answers.filter((value) => versionOf(key, value) !== 1).length;
  return { loaderCalls, loaderEnd, lastAnswer, answered: answers.length, wrong };
}
