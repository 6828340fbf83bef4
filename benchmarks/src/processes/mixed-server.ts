// The mixed-run server process (built to dist/mixed-server.js): the fleet demo's routes on a
// simulated source, cached or not, forked by the MIX scenario so that the load generator
// (autocannon, in the parent) and the server do not share a process. argv[2] is the JSON of its
// MixedServerOptions. Driven over IPC: see mixed-server-client.ts.
import { type MixedApp, startMixedApp } from './mixed-app.js';
import type {
  MixedServerMessage,
  MixedServerOptions,
  MixedServerRequest,
} from './mixed-protocol.js';

function send(message: MixedServerMessage): void {
  process.send?.(message);
}

let app: MixedApp | undefined;

process.on('message', (request: MixedServerRequest) => {
  if (request.op === 'counts') {
    send(
      app === undefined
        ? { kind: 'reply', id: request.id }
        : { kind: 'reply', id: request.id, counts: app.counts() },
    );
    return;
  }
  const closing = app;
  app = undefined;
  void (closing?.close() ?? Promise.resolve())
    .catch((error: unknown) => console.error('mixed-run server: close failed', error))
    .finally(() => {
      if (process.send === undefined) process.exit(0);
      process.send({ kind: 'reply', id: request.id } satisfies MixedServerMessage, () =>
        process.exit(0),
      );
    });
});
// The parent is gone: nothing else will stop this process.
process.on('disconnect', () => process.exit(0));

let options: MixedServerOptions;
try {
  options = JSON.parse(process.argv[2] ?? '') as MixedServerOptions;
} catch {
  send({ kind: 'failed', error: 'usage: mixed-server.js <JSON of MixedServerOptions>' });
  process.exit(2);
}
startMixedApp(options).then(
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
