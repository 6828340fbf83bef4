import { ForkedServer } from './forked-server.js';
import type { HttpRoute, ServerCounts } from './http-protocol.js';

/**
 * Set to a directory to run the B7 server with `--cpu-prof` there: the profile (one
 * `.cpuprofile` per server process, for Chrome DevTools or speedscope) is written when the
 * scenario stops the server.
 */
export const CPU_PROFILE_ENV = 'BENCH_SERVER_CPU_PROF';

/** The B7 server process (`dist/http-server.js`): forked, listening, driven over IPC. */
export class HttpServerProcess {
  readonly #server: ForkedServer<ServerCounts>;

  private constructor(server: ForkedServer<ServerCounts>) {
    this.#server = server;
  }

  /** Forks the built server on `redisUrl` and resolves once it listens. */
  static async start(redisUrl: string): Promise<HttpServerProcess> {
    const profileDir = process.env[CPU_PROFILE_ENV];
    const server = await ForkedServer.start<ServerCounts>({
      entry: 'http-server.js',
      args: [redisUrl],
      execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      label: 'B7 server',
      buildHint: 'npm run bench builds them',
    });
    return new HttpServerProcess(server);
  }

  /** `http://127.0.0.1:<port>/<route>` */
  url(route: HttpRoute): string {
    return `http://127.0.0.1:${this.#server.port}/${route}`;
  }

  /** What the server counted so far (source calls per route, L1 hits per cache). */
  counts(): Promise<ServerCounts> {
    return this.#server.counts();
  }

  /** Closes the app and its caches and lets the process exit (SIGKILL after 5 s). */
  stop(): Promise<void> {
    return this.#server.stop();
  }
}
