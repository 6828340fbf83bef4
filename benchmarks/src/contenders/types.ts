/** The source a cache-aside read falls back to. */
export type Loader = () => Promise<unknown>;

/** One key of one cache, read the way its library's docs say, and how to release it. */
export interface KeyReader {
  /** One cache-aside read of the key (loads and stores it on a miss). */
  readonly read: () => Promise<unknown>;
  /**
   * Overwrites the key with `value` the library's documented way (what another instance does when
   * the source changes; `verify` checks whether the first instance then serves it).
   */
  write(value: unknown): Promise<void>;
  close(): Promise<void>;
}

/** What every contender factory gets: where Redis is, the key to read and its loader. */
export interface ReaderOptions {
  readonly redisUrl: string;
  readonly key: string;
  readonly loader: Loader;
  /** TTL of the entry, in ms (each library takes it in its own unit). */
  readonly ttlMs: number;
}
