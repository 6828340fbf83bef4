import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { builtEntry } from './worker-client.js';

/** What the parent sends a forked benchmark server over IPC. */
export interface ForkedServerRequest {
  readonly id: number;
  readonly op: 'counts' | 'close';
}

/** What a forked benchmark server sends: `listening` (or `failed`) once, then one reply per request. */
export type ForkedServerMessage<Counts> =
  | { readonly kind: 'listening'; readonly port: number }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'reply'; readonly id: number; readonly counts?: Counts };

/** How to fork one server: its built entry, arguments and a name for error messages. */
export interface ForkedServerSpec {
  /** File name in `dist/`, e.g. `'http-server.js'`. */
  readonly entry: string;
  readonly args: readonly string[];
  readonly execArgv?: readonly string[];
  /** `'B7 server'`, used in every error message. */
  readonly label: string;
  /** Appended to the "is missing" message: how to get the entry built. */
  readonly buildHint: string;
}

/**
 * A benchmark server in its own process (`dist/<entry>`): forked, listening on a port it
 * reports, asked for its counts and closed over IPC.
 */
export class ForkedServer<Counts> {
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #pending = new Map<number, (message: ForkedServerMessage<Counts>) => void>();
  #next = 0;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;

  private constructor(child: ChildProcess, port: number, label: string) {
    this.#child = child;
    this.port = port;
    this.#label = label;
    child.on('message', (message: ForkedServerMessage<Counts>) => {
      if (message.kind !== 'reply') return;
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(message);
    });
  }

  /** Forks the built server and resolves once it listens. */
  static async start<Counts>(spec: ForkedServerSpec): Promise<ForkedServer<Counts>> {
    const entry = builtEntry(spec.entry);
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: build the benchmarks first (${spec.buildHint}).`);
    }
    const child = fork(entry, [...spec.args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...(spec.execArgv ?? [])],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (message: ForkedServerMessage<Counts>) => {
          if (message.kind === 'listening') resolve(message.port);
          else if (message.kind === 'failed') reject(new Error(`${spec.label}: ${message.error}`));
          else reject(new Error(`${spec.label}: unexpected first message ${message.kind}`));
        });
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`${spec.label} exited with ${code}`)));
      });
      return new ForkedServer<Counts>(child, port, spec.label);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** What the server counted so far. */
  async counts(): Promise<Counts> {
    const reply = await this.#call('counts');
    if (reply.kind !== 'reply' || reply.counts === undefined) {
      throw new Error(`${this.#label}: no counts in its reply (is it closing?)`);
    }
    return reply.counts;
  }

  /** Closes the app and its caches and lets the process exit (SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.#call('close').catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }

  #call(op: 'counts' | 'close'): Promise<ForkedServerMessage<Counts>> {
    const id = this.#next++;
    return new Promise<ForkedServerMessage<Counts>>((resolve, reject) => {
      const onExit = (): void => reject(new Error(`${this.#label} exited before answering ${op}`));
      this.#child.once('exit', onExit);
      this.#pending.set(id, (message) => {
        this.#child.off('exit', onExit);
        resolve(message);
      });
      this.#child.send({ id, op }, (error) => {
        if (error === null) return;
        this.#pending.delete(id);
        this.#child.off('exit', onExit);
        reject(error);
      });
    });
  }
}
