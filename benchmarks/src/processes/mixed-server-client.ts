import { ForkedServer } from './forked-server.js';
import type { MixedServerCounts, MixedServerOptions } from './mixed-protocol.js';

/** One mixed-run server process (`dist/mixed-server.js`): forked, listening, driven over IPC. */
export class MixedServerProcess {
  readonly #server: ForkedServer<MixedServerCounts>;

  private constructor(server: ForkedServer<MixedServerCounts>) {
    this.#server = server;
  }

  /** Forks the built server with `options` and resolves once it listens. */
  static async start(options: MixedServerOptions): Promise<MixedServerProcess> {
    const server = await ForkedServer.start<MixedServerCounts>({
      entry: 'mixed-server.js',
      args: [JSON.stringify(options)],
      label: 'mixed server',
      buildHint:
        "tsdown.config.ts must list src/processes/mixed-server.ts as the 'mixed-server' entry",
    });
    return new MixedServerProcess(server);
  }

  /** `http://127.0.0.1:<port>` */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** What the server counted so far (source calls, L1 hits, CPU time). */
  counts(): Promise<MixedServerCounts> {
    return this.#server.counts();
  }

  /** Closes the app and its cache and lets the process exit (SIGKILL after 5 s). */
  stop(): Promise<void> {
    return this.#server.stop();
  }
}
