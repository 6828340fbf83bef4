import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InitArgs, Operation, Replies, Requests, WorkerMessage } from './protocol.js';

/** `benchmarks/`, found from this module whether it runs from src/ (tests) or dist/ (the CLI). */
function packageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name ===
        '@cachekit/benchmarks'
    ) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the @cachekit/benchmarks package directory.');
    dir = parent;
  }
}

/** A built entry of this package (`'worker.js'`, `'http-server.js'`: tsdown.config.ts). */
export function builtEntry(file: string): string {
  return join(packageDir(), 'dist', file);
}

/** The built worker entry (tsdown.config.ts). */
export function workerEntry(): string {
  return builtEntry('worker.js');
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface DropWaiter {
  readonly key: string;
  resolve(at: number): void;
}

/** One worker process started with `fork`, driven by request/reply over IPC. */
export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #waiters: DropWaiter[] = [];
  #next = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: WorkerMessage) => this.#receive(message));
    child.on('exit', (code, signal) => {
      const error = new Error(`worker ${child.pid} exited (${signal ?? code})`);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  /** Forks the built worker and initializes its cache; rejects if either fails. */
  static async start(init: InitArgs): Promise<WorkerProcess> {
    const entry = workerEntry();
    if (!existsSync(entry)) {
      throw new Error(
        `${entry} is missing: build the benchmarks first (npm run bench builds them).`,
      );
    }
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before ready`)));
      });
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const worker = new WorkerProcess(child);
    try {
      await worker.call('init', init);
    } catch (error) {
      await worker.stop();
      throw error;
    }
    return worker;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<K extends Operation>(op: K, args: Requests[K]): Promise<Replies[K]> {
    const id = this.#next++;
    return new Promise<Replies[K]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, op, args }, (error) => {
        if (error === null) return;
        this.#pending.delete(id);
        reject(error);
      });
    });
  }

  /**
   * The wall-clock time at which this worker drops its L1 copy of `key` (it must have read the
   * key with `watch: true`). Rejects after `timeoutMs`. Register before the invalidation is sent.
   */
  nextDrop(key: string, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiter: DropWaiter = {
        key,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(
          new Error(`worker ${this.pid} did not drop ${key} within ${timeoutMs} ms of its delete`),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Closes the worker's cache, then kills it (SIGKILL if it does not close within a second). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.call('close', {}).catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
    clearTimeout(timer);
    child.kill('SIGKILL');
    await exited;
  }

  #receive(message: WorkerMessage): void {
    if (message.kind === 'dropped') {
      const waiter = this.#waiters.find((w) => w.key === message.key);
      if (waiter === undefined) return;
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      waiter.resolve(message.at);
      return;
    }
    if (message.kind !== 'reply') return;
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    if (message.ok) pending?.resolve(message.result);
    else pending?.reject(new Error(message.error));
  }
}

/** Starts `count` workers in parallel; if one fails, stops the others and rethrows. */
export async function startWorkers(count: number, init: InitArgs): Promise<WorkerProcess[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => WorkerProcess.start(init)),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(workers.map((w) => w.stop()));
    throw failed.reason;
  }
  return workers;
}
