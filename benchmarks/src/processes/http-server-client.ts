import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { HttpRoute, HttpServerMessage, ServerCounts } from './http-protocol.js';
import { builtEntry } from './worker-client.js';

/**
 * Set to a directory to run the B7 server with `--cpu-prof` there: the profile (one
 * `.cpuprofile` per server process, for Chrome DevTools or speedscope) is written when the
 * scenario stops the server.
 */
export const CPU_PROFILE_ENV = 'BENCH_SERVER_CPU_PROF';

/** The B7 server process (`dist/http-server.js`): forked, listening, driven over IPC. */
export class HttpServerProcess {
  readonly #child: ChildProcess;
  readonly #port: number;
  readonly #pending = new Map<number, (message: HttpServerMessage) => void>();
  #next = 0;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.#port = port;
    child.on('message', (message: HttpServerMessage) => {
      if (message.kind !== 'reply') return;
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(message);
    });
  }

  /** Forks the built server on `redisUrl` and resolves once it listens. */
  static async start(redisUrl: string): Promise<HttpServerProcess> {
    const entry = builtEntry('http-server.js');
    if (!existsSync(entry)) {
      throw new Error(
        `${entry} is missing: build the benchmarks first (npm run bench builds them).`,
      );
    }
    const profileDir = process.env[CPU_PROFILE_ENV];
    const child = fork(entry, [redisUrl], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (message: HttpServerMessage) => {
          if (message.kind === 'listening') resolve(message.port);
          else if (message.kind === 'failed') reject(new Error(`B7 server: ${message.error}`));
          else reject(new Error(`B7 server: unexpected first message ${message.kind}`));
        });
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`B7 server exited with ${code}`)));
      });
      return new HttpServerProcess(child, port);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** `http://127.0.0.1:<port>/<route>` */
  url(route: HttpRoute): string {
    return `http://127.0.0.1:${this.#port}/${route}`;
  }

  /** What the server counted so far (source calls per route, L1 hits per cache). */
  async counts(): Promise<ServerCounts> {
    const reply = await this.#call('counts');
    if (reply.kind !== 'reply' || reply.counts === undefined) {
      throw new Error('B7 server: no counts in its reply (is it closing?)');
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

  #call(op: 'counts' | 'close'): Promise<HttpServerMessage> {
    const id = this.#next++;
    return new Promise<HttpServerMessage>((resolve, reject) => {
      const onExit = (): void => reject(new Error(`B7 server exited before answering ${op}`));
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
