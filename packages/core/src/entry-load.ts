import type { CacheContext } from './context.js';
import { frameEntry, serializeValue } from './entry.js';
import { type EntryIo, type EntryPlan, MISS, pairs, Stale, UNAVAILABLE } from './entry-io.js';
import { LoaderTimeoutError } from './errors.js';
import type { Flight } from './flights.js';
import type { KeySpace } from './keys.js';
import { type Loader, runLoader } from './loader-run.js';
import { awaitTurn } from './lock-turn.js';
import type { GenerationGuard } from './store.js';

/** The miss path of one namespace: takes its turn (distributed lock), loads, and stores guarded. */
export class EntryLoader {
  readonly #ctx: CacheContext;
  readonly #keys: KeySpace;
  readonly #io: EntryIo;

  constructor(ctx: CacheContext, keys: KeySpace, io: EntryIo) {
    this.#ctx = ctx;
    this.#keys = keys;
    this.#io = io;
  }

  /**
   * Loads a value and stores it only if neither the key nor any of its tags was invalidated since
   * just before the loader started (atomic on the store), the flight was not invalidated in this
   * process, and the load took less than `loadGuardWindow`. With `storeDown`, the store is not
   * asked again: the loader's value is returned as soon as it is ready. With `lock`, processes
   * take turns (see {@link awaitTurn}) and a value another one stored is returned as is.
   */
  async load<T>(
    fullKey: string,
    loader: Loader<T>,
    plan: EntryPlan,
    flight: Flight,
    storeDown = false,
  ): Promise<T> {
    const ctx = this.#ctx;
    let token: string | undefined;
    if (plan.resilience.lock && !storeDown) {
      const lockKey = this.#keys.lockOf(fullKey);
      const turn = await awaitTurn({
        lease: ctx.options.lockLease,
        maxWait: plan.resilience.hardTimeout,
        acquire: (candidate) =>
          ctx.runner.run('lock', (store) =>
            store.acquireLock(lockKey, candidate, ctx.options.lockLease),
          ),
        probe: async () => {
          const found = await this.#io.read(fullKey, 'getOrSet');
          if (found === UNAVAILABLE) return { fresh: false, unavailable: true };
          if (found === MISS || found instanceof Stale) return { fresh: false, unavailable: false };
          return { fresh: true, value: found };
        },
      });
      token = turn.token;
      if (turn.found) {
        this.#release(lockKey, token);
        return turn.value as T;
      }
    }
    try {
      return await this.#loadAndStore(fullKey, loader, plan, flight, storeDown);
    } finally {
      this.#release(this.#keys.lockOf(fullKey), token);
    }
  }

  async #loadAndStore<T>(
    fullKey: string,
    loader: Loader<T>,
    plan: EntryPlan,
    flight: Flight,
    storeDown: boolean,
  ): Promise<T> {
    const ctx = this.#ctx;
    const guardKeys = [this.#keys.generationOf(fullKey), ...plan.tagKeys];
    // The guard window counts from before the generations are read.
    const guardedSince = performance.now();
    let generations: string[] | undefined;
    if (!storeDown) {
      try {
        generations = await this.#io.generations(guardKeys, 'getOrSet');
      } catch (error) {
        this.#io.fail('getOrSet', error, fullKey);
      }
    }
    const stamp = ctx.l1?.stamp ?? 0;
    const loadStarted = performance.now();
    let value: T;
    try {
      value = await runLoader(loader, fullKey, plan.resilience.hardTimeout);
    } catch (error) {
      const outcome = error instanceof LoaderTimeoutError ? 'timeout' : 'error';
      this.#io.emitLoad(fullKey, outcome, loadStarted);
      throw error;
    }
    const started = this.#io.emitLoad(fullKey, 'ok', loadStarted);
    if (value === undefined) return value;
    const tagPairs = generations === undefined ? [] : pairs(plan.tagKeys, generations.slice(1));
    const serialized = serializeValue(ctx.options.serializer, value);
    const now = Date.now();
    const grace = plan.resilience.grace;
    const payload = frameEntry(serialized, now, plan.ttl, tagPairs, grace);
    if (
      generations === undefined ||
      flight.invalidated ||
      ctx.closed ||
      performance.now() - guardedSince > ctx.options.loadGuardWindow
    ) {
      this.#io.emitSet(fullKey, false, started);
      return value;
    }
    const guards: GenerationGuard[] = guardKeys.map((key, i) => ({
      key,
      generation: generations[i] as string,
    }));
    try {
      const stored = await ctx.runner.run('getOrSet', (store) =>
        store.setIfGenerations(fullKey, payload, plan.ttl + grace, guards),
      );
      if (stored && !flight.invalidated) {
        ctx.l1?.set(fullKey, value, now + plan.ttl, grace, plan.tagKeys, serialized.length, stamp);
      }
      this.#io.emitSet(fullKey, stored, started);
    } catch (error) {
      this.#io.fail('getOrSet', error, fullKey);
    }
    return value;
  }

  /** Releases a lease lock in the background (a failure only means it expires by itself). */
  #release(lockKey: string, token: string | undefined): void {
    if (token === undefined) return;
    this.#ctx.runner
      .run('lock', (store) => store.releaseLock(lockKey, token))
      .catch((error: unknown) => this.#io.report('lock', error));
  }
}
