// The B7 server process (built to dist/http-server.js): one Fastify app with every B7 route,
// forked by the benchmark process so that the load generator (autocannon, in the parent) and the
// server do not share a process. argv[2] is the Redis URL. Driven over IPC: see
// http-server-client.ts.
import { startHttpApp } from './http-app.js';
import { serveOverIpc } from './serve-over-ipc.js';

serveOverIpc(
  'B7 server',
  'http-server.js <redis url>',
  (arg) => {
    if (arg === undefined) throw new TypeError('no Redis URL');
    return arg;
  },
  startHttpApp,
);
