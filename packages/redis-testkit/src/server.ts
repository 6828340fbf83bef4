import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from './binaries.js';
import { findFreePort, releasePort } from './ports.js';
import { trackDir, trackPid, untrackDir, untrackPid } from './reaper.js';
import { info, type RedisAddress } from './resp.js';
import { waitFor } from './wait.js';

export interface RedisServerOptions {
  /** Port to listen on. Default: a free one (and a new one if it is taken before Redis binds it). */
  readonly port?: number;
  /** Extra `redis-server` arguments, appended after the defaults. */
  readonly args?: readonly string[];
  /** Working dir (`--dir`). Default: a fresh temp dir, removed by `stop()`. A given dir is left alone. */
  readonly dir?: string;
  /** Also require `port + 10000` to be free (cluster nodes). Default false. */
  readonly clusterBus?: boolean;
  /** Deadline for the server to answer, in milliseconds. Default 10_000. */
  readonly startTimeoutMs?: number;
  /** Path of the `redis-server` binary. Default: found on PATH. */
  readonly redisServerPath?: string;
}

/** A running (or stopped, restartable) `redis-server` child process. */
export interface RedisServerHandle extends RedisAddress {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port` */
  readonly url: string;
  /** PID of the current process, or of the last one once it has exited. */
  readonly pid: number;
  /** True from a successful start until the process exits. */
  readonly running: boolean;
  /** True between `pause()` and `resume()`. */
  readonly paused: boolean;
  /** Graceful shutdown (SIGTERM, SIGKILL after 5 s); removes the temp dir. Idempotent; call it last. */
  stop(): Promise<void>;
  /** SIGKILL, resolves once the process is gone. `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its port but answers nothing, like a hung Redis. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Starts a new process on the same port and dir (stopping the current one first if it runs). */
  restart(): Promise<void>;
  /** The last few KiB of the server's output, for error messages. */
  logs(): string;
}

const LOG_LIMIT = 8 * 1024;
const STOP_GRACE_MS = 5_000;

class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

class RedisServer implements RedisServerHandle {
  readonly host = '127.0.0.1';
  port = 0;
  pid = 0;
  running = false;
  paused = false;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  private dir: string | undefined;
  private readonly ownsDir: boolean;
  private readonly binary: string;

  constructor(private readonly options: RedisServerOptions) {
    this.binary = options.redisServerPath ?? requireExecutable('redis-server');
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.options.port !== undefined) {
      await this.launch(this.options.port);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort({ clusterBus: this.options.clusterBus === true });
      try {
        await this.launch(port);
        return;
      } catch (error) {
        releasePort(port);
        if (!(error instanceof ServerStartError && error.portInUse) || attempt >= 5) throw error;
      }
    }
  }

  private ensureDir(): string {
    if (this.dir === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'cachekit-redis-'));
      trackDir(this.dir);
    } else {
      mkdirSync(this.dir, { recursive: true });
    }
    return this.dir;
  }

  private async launch(port: number): Promise<void> {
    const dir = this.ensureDir();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--enable-debug-command',
      'local',
      '--dir',
      dir,
      '--daemonize',
      'no',
      ...(this.options.args ?? []),
    ];
    this.output = '';
    const child = spawn(this.binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let gone = false;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        gone = true;
        this.running = false;
        this.paused = false;
        if (child.pid !== undefined) untrackPid(child.pid);
        resolve();
      });
    });
    if (child.pid === undefined) {
      throw new Error(`Could not spawn ${this.binary}: ${(await spawnError).message}`);
    }
    this.child = child;
    this.pid = child.pid;
    this.port = port;
    trackPid(child.pid);
    child.unref();
    (child.stdout as unknown as { unref(): void } | null)?.unref();
    (child.stderr as unknown as { unref(): void } | null)?.unref();

    const timeoutMs = this.options.startTimeoutMs ?? 10_000;
    try {
      await waitFor(
        async () => {
          if (gone) return 'exited';
          // INFO's process_id proves that the answer comes from our child, not another server.
          const fields = await info({ host: this.host, port }, 'server', { timeoutMs: 500 });
          return fields.get('process_id') === String(child.pid) ? 'ready' : undefined;
        },
        { timeoutMs, intervalMs: 20, description: `redis-server on port ${port}` },
      ).then((state) => {
        if (state === 'exited') throw new Error('exited');
      });
    } catch (error) {
      if (!gone) {
        child.ref();
        child.kill('SIGKILL');
        await this.exited;
      }
      const portInUse = /address already in use/i.test(this.output);
      const reason =
        error instanceof Error && error.message !== 'exited' ? `${error.message}. ` : '';
      throw new ServerStartError(
        `redis-server on port ${port} did not start. ${reason}Output:\n${this.output.trim()}`,
        portInUse,
      );
    }
    this.running = true;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child !== undefined && this.running) {
      // The child is unref'd while it runs; waiting for its exit must keep this process alive.
      child.ref();
      if (this.paused) child.kill('SIGCONT');
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        this.exited.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    if (this.ownsDir && this.dir !== undefined) {
      rmSync(this.dir, { recursive: true, force: true });
      untrackDir(this.dir);
      this.dir = undefined;
    }
  }

  async kill(): Promise<void> {
    if (this.child === undefined || !this.running) return;
    this.child.ref();
    this.child.kill('SIGKILL');
    await this.exited;
  }

  pause(): void {
    if (this.child === undefined || !this.running)
      throw new Error('pause(): server is not running');
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (this.child === undefined || !this.running)
      throw new Error('resume(): server is not running');
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  async restart(): Promise<void> {
    if (this.running) await this.kill();
    await this.launch(this.port);
  }
}

/**
 * Starts a real `redis-server` (`--port <free> --save '' --appendonly no --bind 127.0.0.1
 * --enable-debug-command local` + `options.args`) and resolves once it answers. The
 * process is killed by a watchdog if this process dies first; still, `stop()` it.
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const server = new RedisServer(options);
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
