/** The routes of the B7 server, one per contender (`GET /<route>`). */
export const HTTP_ROUTES = [
  'constant',
  'cached-l1',
  'cached-l2',
  'uncached-20ms',
  'cached-20ms-source',
] as const;

export type HttpRoute = (typeof HTTP_ROUTES)[number];

/** What the B7 server counted since it started; the parent diffs two of them around a burst. */
export interface ServerCounts {
  /** Source (handler) calls per route: on a cached route, only misses call it. */
  readonly sourceCalls: Readonly<Record<HttpRoute, number>>;
  /**
   * L1 hits of each cache (`cache.l1HitCounts()` summed over its namespaces): `withL1` behind
   * `cached-l1` and `cached-20ms-source`, `withoutL1` behind `cached-l2` (always 0: it has no L1).
   */
  readonly l1Hits: { readonly withL1: number; readonly withoutL1: number };
  /** CPU time the server process used (user + system, `process.cpuUsage()`), in µs. */
  readonly cpuMicros: number;
}
