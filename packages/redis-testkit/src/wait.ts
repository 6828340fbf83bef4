export interface WaitForOptions {
  /** Overall deadline in milliseconds. Default 10_000. */
  readonly timeoutMs?: number;
  /** Pause between attempts in milliseconds. Default 25. */
  readonly intervalMs?: number;
  /** Describes what is awaited, for the timeout error. */
  readonly description?: string;
}

/** Thrown when {@link waitFor} reaches its deadline. `cause` holds the last failure, if any. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `check` until it returns a value other than `undefined` / `false` (or resolves
 * to one), then returns that value. A check that throws counts as "not yet". Rejects
 * with {@link WaitTimeoutError} once the deadline passes: the way to wait for a state
 * instead of sleeping for a guessed time.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'condition';
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
