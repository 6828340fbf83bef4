import { randomUUID } from 'node:crypto';
import { pause } from './loader-run.js';

/** What a reader found in the store while waiting for its turn. */
export type Probe =
  | { readonly fresh: true; readonly value: unknown }
  | { readonly fresh: false; readonly unavailable: boolean };

/**
 * The outcome of waiting: a value someone stored (`found`), or the right to load. `token` is set
 * while this caller holds the lock and must release it.
 */
export type Turn =
  | { readonly found: true; readonly value: unknown; readonly token: string | undefined }
  | { readonly found: false; readonly token: string | undefined };

const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 20;

/**
 * Distributed single-flight: takes a lease lock, or waits for the holder's value by polling the
 * store (2 ms, doubling to 20 ms) and takes over once the lease lapses (the holder died).
 * Store failures end the wait: the caller loads without the lock (fail-open).
 */
export async function awaitTurn(options: {
  acquire: (token: string) => Promise<boolean>;
  probe: () => Promise<Probe>;
  lease: number;
  /** Longest wait before loading without the lock (e.g. the hard timeout). Default: twice the lease. */
  maxWait?: number | undefined;
}): Promise<Turn> {
  const token = randomUUID();
  const deadline =
    Date.now() + Math.min(options.lease * 2, options.maxWait ?? Number.POSITIVE_INFINITY);
  let interval = FIRST_POLL_MS;
  for (;;) {
    let acquired: boolean;
    try {
      acquired = await options.acquire(token);
    } catch {
      return { found: false, token: undefined };
    }
    if (acquired) {
      // Double-check: the previous holder may have stored the value just before we got the lock.
      const found = await options.probe();
      return found.fresh ? { found: true, value: found.value, token } : { found: false, token };
    }
    await pause(interval);
    interval = Math.min(interval * 2, MAX_POLL_MS);
    const found = await options.probe();
    if (found.fresh) return { found: true, value: found.value, token: undefined };
    if (found.unavailable || Date.now() > deadline) return { found: false, token: undefined };
  }
}
