import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Overall deadline in milliseconds. Default: 3,000. */
  timeout?: number;
  /** Pause between checks in milliseconds. Default: 10. */
  interval?: number;
  /** What is awaited, for the timeout error, e.g. `'key a to expire'`. Default: `'condition'`. */
  message?: string;
}

/**
 * Polls `check` until it returns (or resolves to) a truthy value and returns that value: the way
 * to wait for a state, e.g. a key's expiry, instead of sleeping for a guessed time. A check that
 * throws counts as "not yet"; once the deadline passes, rejects with an error that names what was
 * awaited and has the last failure as `cause`. Needs real timers (not vitest's fake ones).
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 3_000;
  const interval = options.interval ?? 10;
  const deadline = Date.now() + timeout;
  let checks = 0;
  let lastError: unknown;
  for (;;) {
    checks++;
    try {
      const result = await check();
      if (result) return result;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const what = options.message ?? 'condition';
      const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`waitFor: ${what} not met within ${timeout} ms (${checks} checks${detail})`, {
        cause: lastError,
      });
    }
    await delay(Math.min(interval, remaining));
  }
}
