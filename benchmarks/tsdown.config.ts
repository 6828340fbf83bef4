import { defineConfig } from 'tsdown';

// The CLI (the scenarios are pulled in by import.meta.glob in src/registry.ts), the worker
// process that B4 and B6 fork and the HTTP server processes that B7 and MIX fork (Node 20 does not run
// TypeScript, so they run from the build).
export default defineConfig({
  entry: {
    cli: 'src/cli.ts',
    worker: 'src/processes/worker.ts',
    'http-server': 'src/processes/http-server.ts',
    'mixed-server': 'src/processes/mixed-server.ts',
  },
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: false,
  fixedExtension: false,
  sourcemap: true,
  clean: true,
});
