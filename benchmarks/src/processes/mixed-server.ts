// The mixed-run server process (built to dist/mixed-server.js): the fleet demo's routes on a
// simulated source, cached or not, forked by the MIX scenario so that the load generator
// (autocannon, in the parent) and the server do not share a process. argv[2] is the JSON of its
// MixedServerOptions. Driven over IPC: see mixed-server-client.ts.
import { startMixedApp } from './mixed-app.js';
import type { MixedServerOptions } from './mixed-protocol.js';
import { serveOverIpc } from './serve-over-ipc.js';

serveOverIpc(
  'mixed-run server',
  'mixed-server.js <JSON of MixedServerOptions>',
  (arg) => JSON.parse(arg ?? '') as MixedServerOptions,
  startMixedApp,
);
