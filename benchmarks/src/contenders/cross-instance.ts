import { isDeepStrictEqual } from 'node:util';
import type { KeyReader } from './types.js';

/** What a reader served after another instance of its library overwrote the key. */
export interface CrossInstanceOutcome {
  /** It returned the new value before the deadline. */
  readonly served: boolean;
  /** Ms from the other instance's write resolving to the first read returning the new value (or to the deadline). */
  readonly afterMs: number;
  /** Reads made meanwhile. */
  readonly reads: number;
}

/**
 * Has `other` (a second instance of the same library, on the same Redis) overwrite the key with
 * `value`, then reads through `read` (the first instance) until it returns `value` or `timeoutMs`
 * passes. Each read is followed by a turn of the event loop, so that a pub/sub message can land.
 */
export async function readAfterOtherWrites(
  read: () => Promise<unknown>,
  other: KeyReader,
  value: unknown,
  timeoutMs: number,
): Promise<CrossInstanceOutcome> {
  await other.write(value);
  const written = performance.now();
  let reads = 0;
  for (;;) {
    const got = await read();
    reads++;
    const afterMs = performance.now() - written;
    if (isDeepStrictEqual(got, value)) return { served: true, afterMs, reads };
    if (afterMs >= timeoutMs) return { served: false, afterMs, reads };
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
