import { UnknownMinerError } from './errors.js';
import { type MinerStatus, nextStatus } from './fleet-model.js';
import type { FleetState } from './shared-state.js';

/** What a test (or an operator) may set on a miner's status. */
export type StatusPatch = Partial<Omit<MinerStatus, 'id' | 'updatedAt'>>;

/** Options of {@link FleetSimulator}. */
export interface SimulatorOptions {
  state: FleetState;
  /** Announces changed statuses to every instance (the fleet bus). */
  publish: (statuses: readonly MinerStatus[]) => Promise<void>;
  /** This instance's id, for the ticker lease. */
  instanceId: string;
  /** Time between ticks in ms; 0 runs no ticker (`tick()` still works). */
  intervalMs: number;
  /** Share of the miners whose status changes at each tick, in (0, 1]. */
  share: number;
  /** Called when a tick fails (Redis down...); the ticker keeps going. */
  onError: (error: unknown) => void;
}

/**
 * The devices' side of the simulation: statuses that change on their own. Only the instance that
 * holds the lease in the shared state ticks, so several instances change the fleet at the pace of
 * one; every change is written to the shared state, then published.
 */
export class FleetSimulator {
  readonly #options: SimulatorOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #ticks = 0;

  constructor(options: SimulatorOptions) {
    this.#options = options;
  }

  /** Ticks this instance ran. */
  get ticks(): number {
    return this.#ticks;
  }

  /** Starts the ticker (no-op when `intervalMs` is 0 or it already runs). Its timer never keeps the process alive. */
  start(): void {
    if (!this.#stopped || this.#options.intervalMs <= 0) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops the ticker; resolves once a tick in flight has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Changes the status of a random `share` of the miners (at least one); resolves to the new statuses. */
  async tick(share: number = this.#options.share): Promise<MinerStatus[]> {
    const { state } = this.#options;
    const ids = (await state.miners()).map((miner) => miner.id);
    const count = Math.min(ids.length, Math.max(1, Math.round(ids.length * share)));
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
    }
    const records = await state.records(ids.slice(0, count));
    const now = new Date();
    const statuses = records.flatMap((record) =>
      record === undefined
        ? []
        : [nextStatus(record.status, record.info, record.config, Math.random, now)],
    );
    await this.#apply(statuses);
    this.#ticks++;
    return statuses;
  }

  /** Sets fields of one miner's status (deterministic, for tests and demos); resolves to the new status. */
  async setStatus(minerId: string, patch: StatusPatch): Promise<MinerStatus> {
    const [record] = await this.#options.state.records([minerId]);
    if (record === undefined) throw new UnknownMinerError(minerId);
    const status: MinerStatus = {
      ...record.status,
      ...patch,
      id: minerId,
      updatedAt: new Date().toISOString(),
    };
    await this.#apply([status]);
    return status;
  }

  async #apply(statuses: readonly MinerStatus[]): Promise<void> {
    await this.#options.state.putStatuses(statuses);
    await this.#options.publish(statuses);
  }

  #schedule(): void {
    const { intervalMs } = this.#options;
    this.#timer = setTimeout(() => {
      this.#running = this.#round().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#schedule();
      });
    }, intervalMs);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    const { state, instanceId, intervalMs, onError } = this.#options;
    try {
      if (await state.lead(instanceId, Math.max(1000, intervalMs * 3))) await this.tick();
    } catch (error) {
      onError(error);
    }
  }
}
