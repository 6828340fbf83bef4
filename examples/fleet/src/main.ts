import { CacheError } from '@cachekit/core';
import { buildApp, type FleetApp } from './app.js';
import { readEnv } from './env.js';
import { type StdioSession, serveStdio } from './mcp-stdio.js';
import { redactUrl } from './redact.js';

// `npm start`: the fleet demo on the memory store, or on Redis with REDIS_URL. See README.md.
// `--stdio`: MCP over stdin/stdout for an MCP client that starts it (no HTTP server); stdout then
// carries MCP messages only, so every log line goes to stderr.
const stdio = process.argv.slice(2).includes('--stdio');
const say = stdio ? console.error : console.log;

let fleet: FleetApp;
let url = '';
let session: StdioSession | undefined;
try {
  const env = readEnv(process.env);
  fleet = await buildApp({
    ...env.options,
    logger: stdio ? { level: env.logLevel, stream: process.stderr } : { level: env.logLevel },
  });
  if (stdio) {
    session = await serveStdio(fleet, () => shutdown('stdin closed'));
  } else {
    const address = await fleet.app.listen({ port: env.port, host: env.host });
    url = address.replace('://[::1]', '://localhost').replace('://0.0.0.0', '://localhost');
  }
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
if (stdio) {
  say(`cachekit fleet demo serving MCP on stdio (${on}); close stdin to stop`);
} else {
  say(`cachekit fleet demo listening on ${url} (${on}); Ctrl+C to stop`);
  say(`  dashboard ${url}/   metrics ${url}/metrics   stats ${url}/stats   MCP ${url}/mcp`);
}

let stopping = false;
function shutdown(reason: string): void {
  if (stopping) {
    console.error(`${reason} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  say(`${reason}: closing (ending event streams, releasing connections)...`);
  const force = setTimeout(() => {
    console.error('still closing after 10 s: exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  Promise.all([session?.close(), fleet.close()]).then(
    () => {
      say('closed');
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error('closing failed:', error);
      process.exitCode = 1;
    },
  );
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
