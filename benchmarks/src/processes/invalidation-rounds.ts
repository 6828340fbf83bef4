import type { WorkerProcess } from './worker-client.js';

/** What one invalidation round saw. */
export interface RoundOutcome {
  /** Ms from the delete being called to each other process dropping its L1 copy. */
  readonly each: readonly number[];
  /** Ms the delete call took in the deleting process (until its promise resolved). */
  readonly call: number;
  /** Versions the other processes read after the drop (`readBack` rounds only). */
  readonly readBack: readonly number[];
}

/**
 * B6's operation over N worker processes: every process reads a fresh key into its L1, one of
 * them (a different one each round) deletes it, the others report when their copy dropped.
 */
export class InvalidationRounds {
  readonly #workers: readonly WorkerProcess[];
  readonly #timeoutMs: number;
  #round = 0;

  constructor(workers: readonly WorkerProcess[], timeoutMs: number) {
    if (workers.length < 2)
      throw new RangeError('An invalidation round needs 2 processes or more.');
    this.#workers = workers;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * One round. The first read (by the deleter) loads version 1 and stores it in Redis; the others
   * must then get it from Redis (no loader). With `readBack`, the others read again after the
   * drop with version 2 in their source, and return the versions they got: 2 if their L1 copy of
   * version 1 is really gone (the first of them loads it, the others may find it in Redis).
   */
  async run(readBack = false): Promise<RoundOutcome> {
    const round = this.#round++;
    const key = `k${round}`;
    const deleter = this.#workers[round % this.#workers.length] as WorkerProcess;
    const others = this.#workers.filter((w) => w !== deleter);
    const first = await deleter.call('read', { key, version: 1, watch: false });
    if (first.version !== 1 || !first.loaded) {
      throw new Error(
        `the first read of ${key} returned version ${first.version}, loaded ${first.loaded}`,
      );
    }
    const warm = await Promise.all(
      others.map((w) => w.call('read', { key, version: 1, watch: true })),
    );
    if (warm.some((r) => r.version !== 1 || r.loaded)) {
      throw new Error(`another process did not read ${key} v1 from Redis: ${JSON.stringify(warm)}`);
    }
    const dropped = Promise.all(others.map((w) => w.nextDrop(key, this.#timeoutMs)));
    // Awaited below; handled now too, in case the delete itself fails first.
    dropped.catch(() => undefined);
    const { started, ended } = await deleter.call('remove', { key });
    const each = (await dropped).map((at) => at - started);
    const call = ended - started;
    if (!readBack) return { each, call, readBack: [] };
    const after = await Promise.all(
      others.map((w) => w.call('read', { key, version: 2, watch: false })),
    );
    return { each, call, readBack: after.map((r) => r.version) };
  }
}
