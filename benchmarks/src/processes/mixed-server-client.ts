import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type {
  MixedServerCounts,
  MixedServerMessage,
  MixedServerOptions,
} from './mixed-protocol.js';
import { builtEntry } from './worker-client.js';

/** One mixed-run server process (`dist/mixed-server.js`): forked, listening, driven over IPC. */
export class MixedServerProcess {
  readonly #child: ChildProcess;
  readonly #port: number;
  readonly #pending = new Map<number, (message: MixedServerMessage) => void>();
  #next = 0;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.#port = port;
    child.on('message', (message: MixedServerMessage) => {
      if (message.kind !== 'reply') return;
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(message);
    });
  }

  /** Forks the built server with `options` and resolves once it listens. */
  static async start(options: MixedServerOptions): Promise<MixedServerProcess> {
    const entry = builtEntry('mixed-server.js');
    if (!existsSync(entry)) {
      throw new Error(
        `${entry} is missing: build the benchmarks first (tsdown.config.ts must list src/processes/mixed-server.ts as the 'mixed-server' entry).`,
      );
    }
    const child = fork(entry, [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (message: MixedServerMessage) => {
          if (message.kind === 'listening') resolve(message.port);
          else if (message.kind === 'failed') reject(new Error(`mixed server: ${message.error}`));
          else reject(new Error(`mixed server: unexpected first message ${message.kind}`));
        });
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`mixed server exited with ${code}`)));
      });
      return new MixedServerProcess(child, port);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** `http://127.0.0.1:<port>` */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** What the server counted so far (source calls, L1 hits, CPU time). */
  async counts(): Promise<MixedServerCounts> {
    const reply = await this.#call('counts');
    if (reply.kind !== 'reply' || reply.counts === undefined) {
      throw new Error('mixed server: no counts in its reply (is it closing?)');
    }
    return reply.counts;
  }

  /** Closes the app and its cache and lets the process exit (SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.#call('close').catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }

  #call(op: 'counts' | 'close'): Promise<MixedServerMessage> {
    const id = this.#next++;
    return new Promise<MixedServerMessage>((resolve, reject) => {
      const onExit = (): void => reject(new Error(`mixed server exited before answering ${op}`));
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
