import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** A message a worker sent on its own (not a reply). */
export interface WorkerEvent {
  readonly type: string;
  readonly at: number;
  readonly [field: string]: unknown;
}

/** One cachekit process started with `fork`, driven by request/response over IPC. */
export class Worker {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[] = [];
  #next = 0;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on(
      'message',
      (
        message: {
          kind: string;
          id?: number;
          ok?: boolean;
          result?: unknown;
          error?: string;
        } & WorkerEvent,
      ) => {
        if (message.kind === 'event') this.events.push(message);
        if (message.kind !== 'reply' || message.id === undefined) return;
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.ok === true) pending?.resolve(message.result);
        else pending?.reject(new Error(message.error));
      },
    );
    child.on('exit', () => {
      for (const pending of this.#pending.values())
        pending.reject(new Error(`worker ${child.pid} exited`));
      this.#pending.clear();
    });
  }

  /** Starts a worker and waits until it is listening for requests. */
  static async start(): Promise<Worker> {
    if (!existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)))) {
      throw new Error('The packages are not built: run `npm test` (it builds before testing).');
    }
    const child = fork(WORKER, [], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`worker exited with ${code} before it was ready`)),
      );
    });
    return new Worker(child);
  }

  call<T = Record<string, unknown>>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, op, args });
    });
  }

  /** Stops the worker (SIGKILL if it does not close within a second). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await Promise.race([
      this.call('close').catch(() => undefined),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Median and 99th percentile of a list of numbers. */
export function percentiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
