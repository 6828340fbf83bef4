/**
 * The commands the store sends, typed by shape. `Redis` and `Cluster` both have them, but calling
 * overloaded methods on their union does not type-check, so the store sees the client as this.
 */
export interface Commands {
  get(key: string): Promise<string | null>;
  mget(keys: string[]): Promise<Array<string | null>>;
  set(key: string, value: string, px: 'PX', ttl: number): Promise<unknown>;
  /** `SET key value PX ttl NX`: `'OK'` if it was set, `null` if the key exists. */
  set(key: string, value: string, px: 'PX', ttl: number, nx: 'NX'): Promise<'OK' | null>;
  unlink(keys: string[]): Promise<number>;
  ping(): Promise<unknown>;
  pipeline(): Pipe;
}

/** A pipeline of SETs. */
export interface Pipe {
  set(key: string, value: string, px: 'PX', ttl: number): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** A server SCAN runs on: the standalone client or one cluster master. */
export interface ScanNode {
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    hint: number,
  ): Promise<[string, string[]]>;
}

/** Throws the first error a pipeline reported (ioredis resolves `exec()` with per-command errors). */
export function checkPipeline(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('ioredis pipeline was discarded (connection closed?)');
  for (const [error] of results) if (error) throw error;
}
