import type { ForkedServerMessage, ForkedServerRequest } from './forked-server.js';

/** A started benchmark app, as a forked server process holds it. */
export interface ServedApp<Counts> {
  readonly port: number;
  counts(): Counts;
  close(): Promise<void>;
}

/**
 * The body of a forked benchmark server (the other side of `ForkedServer`): parses argv[2] with
 * `parse` (a throw is a usage error: exit 2), starts the app, reports `listening` or `failed`,
 * then answers `counts` and `close` over IPC; exits when closed or when the parent is gone.
 */
export function serveOverIpc<Options, Counts>(
  label: string,
  usage: string,
  parse: (arg: string | undefined) => Options,
  start: (options: Options) => Promise<ServedApp<Counts>>,
): void {
  const send = (message: ForkedServerMessage<Counts>): void => {
    process.send?.(message);
  };
  let app: ServedApp<Counts> | undefined;
  process.on('message', (request: ForkedServerRequest) => {
    if (request.op === 'counts') {
      // Without counts (closing) the client's `counts()` rejects.
      send(
        app === undefined
          ? { kind: 'reply', id: request.id }
          : { kind: 'reply', id: request.id, counts: app.counts() },
      );
      return;
    }
    const closing = app;
    app = undefined;
    // Exits normally (not killed) so that `--cpu-prof` can write its profile.
    void (closing?.close() ?? Promise.resolve())
      .catch((error: unknown) => console.error(`${label}: close failed`, error))
      .finally(() => {
        if (process.send === undefined) process.exit(0);
        process.send({ kind: 'reply', id: request.id }, () => process.exit(0));
      });
  });
  // The parent is gone (it crashed or was killed): nothing else will stop this process.
  process.on('disconnect', () => process.exit(0));

  let options: Options;
  try {
    options = parse(process.argv[2]);
  } catch {
    send({ kind: 'failed', error: `usage: ${usage}` });
    process.exit(2);
  }
  start(options).then(
    (started) => {
      app = started;
      send({ kind: 'listening', port: started.port });
    },
    (error: unknown) => {
      send({
        kind: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      setImmediate(() => process.exit(1));
    },
  );
}
