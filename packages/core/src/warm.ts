import { InvalidOptionError } from './errors.js';

/** Progress of a warm-up, given to `onProgress` after each id. */
export interface WarmProgress<Id> {
  readonly id: Id;
  /** Ids finished so far (succeeded or failed). */
  readonly done: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** The error of this id's load, if it failed. */
  readonly error?: unknown;
}

/** Options of `warm`. */
export interface WarmOptions<Id> {
  /** Loads running at once. Default: 4. */
  concurrency?: number;
  /** Called after each id; an exception it throws is ignored. */
  onProgress?: (progress: WarmProgress<Id>) => void;
  /** Stops starting new loads once aborted (running ones finish). */
  signal?: AbortSignal;
}

/** What a warm-up did. */
export interface WarmReport<Id> {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: ReadonlyArray<{ readonly id: Id; readonly error: unknown }>;
  /** Ids not started because the signal aborted. */
  readonly skipped: number;
}

/**
 * Runs `task` for each id with at most `concurrency` running at once, collecting every outcome
 * (a failure never stops the others): `Promise.allSettled` over a fixed pool of workers.
 */
export async function runBounded<Id>(
  ids: readonly Id[],
  task: (id: Id) => Promise<unknown>,
  options: WarmOptions<Id> = {},
): Promise<WarmReport<Id>> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(
      `warm: concurrency must be a positive integer, got ${String(concurrency)}.`,
    );
  }
  const total = ids.length;
  const failed: Array<{ id: Id; error: unknown }> = [];
  let next = 0;
  let done = 0;
  let succeeded = 0;
  const report = (id: Id, error?: unknown): void => {
    if (options.onProgress === undefined) return;
    try {
      options.onProgress({
        id,
        done,
        total,
        succeeded,
        failed: failed.length,
        ...(error === undefined ? {} : { error }),
      });
    } catch {
      // A progress callback must not break the warm-up.
    }
  };
  const worker = async (): Promise<void> => {
    while (next < total && options.signal?.aborted !== true) {
      const id = ids[next++] as Id;
      try {
        await task(id);
        succeeded++;
        done++;
        report(id);
      } catch (error) {
        failed.push({ id, error });
        done++;
        report(id, error);
      }
    }
  };
  await Promise.allSettled(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { total, succeeded, failed, skipped: total - done };
}
