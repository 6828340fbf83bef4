import { type Duration, toMilliseconds } from './duration.js';
import { InvalidOptionError } from './errors.js';
import type { WarmOptions, WarmProgress, WarmReport } from './warm.js';

/** Options of periodic warming (`definition.startWarming`). */
export interface WarmingOptions<Id> {
  /** The ids to warm, read again at every cycle (e.g. the fleet's current miners). */
  ids: () => readonly Id[] | Promise<readonly Id[]>;
  /** Time between the end of one cycle and the start of the next. */
  every: Duration;
  /** Loads running at once within a cycle. Default: 4. */
  concurrency?: number;
  /** Run the first cycle at once (`true`) or after `every` (`false`). Default: `true`. */
  immediate?: boolean;
  /** Called after each id of each cycle; an exception it throws is ignored. */
  onProgress?: (progress: WarmProgress<Id>) => void;
  /** Called after each cycle with its report; an exception it throws is ignored. */
  onCycle?: (report: WarmReport<Id>) => void;
  /** Called when `ids()` fails; the next cycle runs as planned. Default: ignored. */
  onError?: (error: unknown) => void;
}

/** A running periodic warm-up. */
export interface Warming {
  /** Cycles completed so far. */
  readonly cycles: number;
  /** Stops: no new load starts, the next cycle is cancelled, and it resolves once loads in flight ended. */
  stop(): Promise<void>;
}

/**
 * Runs `warm` every `options.every` (measured from the end of the previous cycle, so cycles never
 * overlap) until stopped. Its timer does not keep the process alive.
 */
export function startWarming<Id>(
  warm: (ids: readonly Id[], options: WarmOptions<Id>) => Promise<WarmReport<Id>>,
  options: WarmingOptions<Id>,
): Warming {
  if (typeof options?.ids !== 'function') {
    throw new InvalidOptionError('startWarming needs an ids() function returning the ids to warm.');
  }
  const every = toMilliseconds(options.every, 'every');
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let stopped = false;
  let cycles = 0;

  const quietly = (call: () => void): void => {
    try {
      call();
    } catch {
      // Callbacks must not break warming.
    }
  };
  const cycle = async (): Promise<void> => {
    let ids: readonly Id[];
    try {
      ids = await options.ids();
    } catch (error) {
      quietly(() => options.onError?.(error));
      return;
    }
    const report = await warm(ids, {
      signal: controller.signal,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    cycles++;
    quietly(() => options.onCycle?.(report));
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(run, every);
    timer.unref?.();
  };
  const run = (): void => {
    current = cycle()
      .catch((error: unknown) => quietly(() => options.onError?.(error)))
      .finally(() => {
        current = undefined;
        schedule();
      });
  };
  if (options.immediate === false) schedule();
  else run();

  return {
    get cycles() {
      return cycles;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      await current;
    },
  };
}
