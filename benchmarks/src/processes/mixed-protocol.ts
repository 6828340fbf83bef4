/** How the mixed-run server caches its routes: one server process per contender. */
export type MixedMode = 'cachekit' | 'cachekit-l1' | 'uncached';

export const MIXED_MODES: readonly MixedMode[] = ['cachekit', 'cachekit-l1', 'uncached'];

/** What the fleet source did since the server started, by operation. */
export interface MixedSourceCalls {
  readonly status: number;
  readonly config: number;
  readonly writeConfig: number;
  readonly summary: number;
}

/** What the mixed-run server counted since it started; the parent diffs two around a burst. */
export interface MixedServerCounts {
  readonly sourceCalls: MixedSourceCalls;
  /** L1 hits of the cache (`cache.l1HitCounts()` summed; 0 without L1 or without a cache). */
  readonly l1Hits: number;
  /** CPU time the server process used (user + system, `process.cpuUsage()`), in µs. */
  readonly cpuMicros: number;
}

/** How the server process is started (its argv, after the entry: JSON of this). */
export interface MixedServerOptions {
  readonly redisUrl: string;
  readonly mode: MixedMode;
  /** Miners in the fleet (`m-0001`...). */
  readonly miners: number;
  /** Every source call waits uniformly between these, in ms. */
  readonly latencyMinMs: number;
  readonly latencyMaxMs: number;
}
