import { CacheError } from '@cachekit/core';
import { buildApp, type FleetApp } from './app.js';
import { readEnv } from './env.js';
import { redactUrl } from './redact.js';

// `npm start`: the fleet demo on the memory store, or on Redis with REDIS_URL. See README.md.
let fleet: FleetApp;
let url: string;
try {
  const env = readEnv(process.env);
  fleet = await buildApp({ ...env.options, logger: { level: env.logLevel } });
  const address = await fleet.app.listen({ port: env.port, host: env.host });
  url = address.replace('://[::1]', '://localhost').replace('://0.0.0.0', '://localhost');
} catch (error) {
  const inUse = (error as { code?: unknown }).code === 'EADDRINUSE';
  const known = error instanceof CacheError || inUse;
  const message = inUse
    ? `${(error as Error).message}: set PORT to a free port (PORT=0 picks one)`
    : error instanceof CacheError
      ? error.message
      : String(error);
  console.error(`cachekit fleet demo could not start: ${message}`, ...(known ? [] : [error]));
  process.exit(1);
}

const on =
  fleet.store === 'redis' ? `Redis at ${redactUrl(process.env.REDIS_URL)}` : 'the in-memory store';
console.log(`cachekit fleet demo listening on ${url} (${on}); Ctrl+C to stop`);
console.log(`  dashboard ${url}/   metrics ${url}/metrics   stats ${url}/stats`);

let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) {
    console.error(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  console.log(`${signal}: closing (ending event streams, releasing connections)...`);
  const force = setTimeout(() => {
    console.error('still closing after 10 s: exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  fleet.close().then(
    () => {
      console.log('closed');
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error('closing failed:', error);
      process.exitCode = 1;
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
