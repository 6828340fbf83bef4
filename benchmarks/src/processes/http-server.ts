// The B7 server process (built to dist/http-server.js): one Fastify app with every B7 route,
// forked by the benchmark process so that the load generator (autocannon, in the parent) and the
// server do not share a process. argv[2] is the Redis URL. Driven over IPC: see
// http-server-client.ts.
import { type HttpApp, startHttpApp } from './http-app.js';
import type { HttpServerMessage, HttpServerRequest } from './http-protocol.js';

function send(message: HttpServerMessage): void {
  process.send?.(message);
}

let app: HttpApp | undefined;

process.on('message', (request: HttpServerRequest) => {
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
    .catch((error: unknown) => console.error('B7 server: close failed', error))
    .finally(() => {
      if (process.send === undefined) process.exit(0);
      process.send({ kind: 'reply', id: request.id } satisfies HttpServerMessage, () =>
        process.exit(0),
      );
    });
});
// The parent is gone (it crashed or was killed): nothing else will stop this process.
process.on('disconnect', () => process.exit(0));

const redisUrl = process.argv[2];
if (redisUrl === undefined) {
  send({ kind: 'failed', error: 'usage: http-server.js <redis url>' });
  process.exit(2);
}
startHttpApp(redisUrl).then(
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
