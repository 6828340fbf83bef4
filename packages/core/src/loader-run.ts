import { LoaderTimeoutError } from './errors.js';

/** Given to loaders. */
export interface LoaderContext {
  /** The full store key being loaded. */
  readonly key: string;
  /** Fires when the load passes its `hardTimeout`: stop work and let go. Never fires without one. */
  readonly signal: AbortSignal;
}

/** Produces the value on a miss. */
export type Loader<T> = (context: LoaderContext) => T | Promise<T>;

const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * Runs a loader. With `hardTimeout`, the loader's signal is aborted after that many ms and the
 * call rejects with {@link LoaderTimeoutError} whether or not the loader honours the signal.
 */
export async function runLoader<T>(
  loader: Loader<T>,
  key: string,
  hardTimeout: number | undefined,
): Promise<T> {
  if (hardTimeout === undefined) return loader({ key, signal: NEVER_ABORTED });
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new LoaderTimeoutError(
        `The loader of "${key}" took longer than its hardTimeout (${hardTimeout} ms) and was aborted.`,
      );
      controller.abort(error);
      reject(error);
    }, hardTimeout);
  });
  try {
    return await Promise.race([loader({ key, signal: controller.signal }), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` without keeping the process alive. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
