import type { CacheContext } from './context.js';
import { type EntryIo, type EntryPlan, MISS, Stale, UNAVAILABLE } from './entry-io.js';
import type { Flight } from './flights.js';
import { L1_MISS } from './l1.js';
import type { Loader } from './loader-run.js';

/** Cache-aside behind the flight table: a fresh hit, or a load with the stale fallbacks. */
export async function readThrough<T>(
  ctx: CacheContext,
  io: EntryIo,
  fullKey: string,
  loader: Loader<T>,
  plan: EntryPlan,
  flight: Flight,
): Promise<T> {
  const started = performance.now();
  const found = await io.read(fullKey, 'getOrSet');
  if (found !== MISS && found !== UNAVAILABLE && !(found instanceof Stale)) {
    flight.served = 'hit';
    io.emitRead('hit', fullKey, started);
    return found as T;
  }
  flight.served = 'miss';
  io.emitRead('miss', fullKey, started);
  const refreshing = ctx.flights.refreshing;
  const running =
    found instanceof Stale ? (refreshing.get(fullKey) as Promise<T> | undefined) : undefined;
  const loading = running ?? io.load(fullKey, loader, plan, flight, found === UNAVAILABLE);
  let stale = found instanceof Stale ? found : undefined;
  if (stale === undefined && plan.resilience.grace > 0) {
    // The store failed or lost the entry: a stale copy in L1 is the fallback.
    const local = ctx.l1?.stale(fullKey) ?? L1_MISS;
    if (local !== L1_MISS) stale = new Stale(local);
  }
  if (stale === undefined) return loading;
  return withStaleFallback(ctx, io, fullKey, loading, stale, plan, flight);
}

/** Serves `stale` if the load fails (stale-if-error) or outlasts the soft timeout (stale-while-revalidate). */
async function withStaleFallback<T>(
  ctx: CacheContext,
  io: EntryIo,
  fullKey: string,
  loading: Promise<T>,
  stale: Stale,
  plan: EntryPlan,
  flight: Flight,
): Promise<T> {
  const settled = loading.then(
    (value) => ({ ok: true as const, value }),
    () => ({ ok: false as const }),
  );
  const soft = plan.resilience.softTimeout;
  let timer: NodeJS.Timeout | undefined;
  const outcome =
    soft === undefined
      ? await settled
      : soft === 0
        ? 'soft'
        : await Promise.race([
            settled,
            new Promise<'soft'>((resolve) => {
              timer = setTimeout(() => resolve('soft'), soft);
            }),
          ]);
  clearTimeout(timer);
  if (outcome === 'soft') {
    // The refresh goes on and stores its result; callers that find the same stale value join it.
    const refreshing = ctx.flights.refreshing;
    if (!refreshing.has(fullKey)) {
      refreshing.set(fullKey, loading);
      const done = (): void => {
        if (refreshing.get(fullKey) === loading) refreshing.delete(fullKey);
      };
      loading.then(done, done);
    }
  } else if (outcome.ok) {
    return outcome.value;
  }
  flight.served = 'stale';
  if (ctx.events.has('stale')) {
    ctx.events.emit({
      type: 'stale',
      key: fullKey,
      namespace: io.namespace,
      duration: 0,
    });
  }
  return stale.value as T;
}
