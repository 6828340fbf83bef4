import type { MinerConfig, MinerStatus } from './fleet-model.js';

/** A miner's config changed (on any instance). */
export interface ConfigChange {
  minerId: string;
  config: MinerConfig;
}

type StatusListener = (status: MinerStatus) => void;
type ConfigListener = (change: ConfigChange) => void;

/**
 * In-process fan-out of fleet changes to this instance's listeners (SSE clients): one bus
 * subscription per instance feeds it, however many browsers are connected.
 */
export class FleetFeed {
  readonly #all = new Set<StatusListener>();
  readonly #byMiner = new Map<string, Set<StatusListener>>();
  readonly #configs = new Set<ConfigListener>();

  /** Listens to status changes of one miner, or of all when `minerId` is undefined. */
  onStatus(listener: StatusListener, minerId?: string): () => void {
    if (minerId === undefined) {
      this.#all.add(listener);
      return () => this.#all.delete(listener);
    }
    const set = this.#byMiner.get(minerId) ?? new Set<StatusListener>();
    set.add(listener);
    this.#byMiner.set(minerId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#byMiner.get(minerId) === set) this.#byMiner.delete(minerId);
    };
  }

  onConfig(listener: ConfigListener): () => void {
    this.#configs.add(listener);
    return () => this.#configs.delete(listener);
  }

  /** Listeners registered, all kinds together. */
  get listeners(): number {
    let count = this.#all.size + this.#configs.size;
    for (const set of this.#byMiner.values()) count += set.size;
    return count;
  }

  emitStatuses(statuses: readonly MinerStatus[]): void {
    for (const status of statuses) {
      for (const listener of this.#all) listener(status);
      for (const listener of this.#byMiner.get(status.id) ?? []) listener(status);
    }
  }

  emitConfig(change: ConfigChange): void {
    for (const listener of this.#configs) listener(change);
  }
}
