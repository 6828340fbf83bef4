import { isDeepStrictEqual } from 'node:util';
import { type RedisAddress, waitFor } from '@cachekit/redis-testkit';
import { check, preview } from '../harness/verify.js';
import { commandsDuring, keyCount } from './redis-probe.js';

/** What {@link checkL1Hits} needs to know of a contender reading one cold key. */
export interface L1HitCheck {
  /** The Redis the contender's second tier (if any) writes to. */
  readonly server: RedisAddress;
  readonly name: string;
  /** One cache-aside read of the key. */
  readonly op: () => Promise<unknown>;
  /** The value the loader returns. */
  readonly expected: unknown;
  /** Loader calls so far (0 before the first read). */
  loads(): number;
  /** Has a Redis tier: the cold call must write the loaded value there. */
  readonly tiered: boolean;
  /** Warm calls made after the cold one, each checked, none of which may reach Redis. */
  readonly warmCalls: number;
}

/**
 * The checks of an L1 hit path (B1, B8): the cold call returns the loaded value and runs the
 * loader once; a contender with a Redis tier has written the value there; then `warmCalls` warm
 * calls all return the value, run no loader, and send (next to) no command to Redis (counted
 * with `INFO stats`): the calls being timed really are in-process hits.
 */
export async function checkL1Hits(c: L1HitCheck): Promise<void> {
  const keysBefore = await keyCount(c.server);
  const first = await c.op();
  check(
    isDeepStrictEqual(first, c.expected),
    `the cold call returned ${preview(first)}, not the loaded value`,
  );
  check(c.loads() === 1, `the cold call ran the loader ${c.loads()} times, not once`);
  if (c.tiered) {
    await waitFor(async () => (await keyCount(c.server)) > keysBefore, {
      timeoutMs: 5_000,
      description: `${c.name} to write the loaded value to Redis (its second tier)`,
    });
  }
  let wrong: unknown;
  const commands = await commandsDuring(c.server, async () => {
    for (let i = 0; i < c.warmCalls; i++) {
      const value = await c.op();
      if (wrong === undefined && !isDeepStrictEqual(value, c.expected)) wrong = value;
    }
  });
  check(wrong === undefined, `a warm call returned ${preview(wrong)}, not the loaded value`);
  const warmLoads = c.loads() - 1;
  check(warmLoads === 0, `${c.warmCalls} warm calls ran the loader ${warmLoads} times: not hits`);
  check(
    commands < c.warmCalls / 2,
    `${c.warmCalls} warm calls sent ${commands} commands to Redis: not served in process`,
  );
}
