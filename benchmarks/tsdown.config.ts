import { defineConfig } from 'tsdown';

// The CLI (the scenarios are pulled in by import.meta.glob in src/registry.ts) and the worker
// process that B4 and B6 fork (Node 20 does not run TypeScript, so it runs from the build).
export default defineConfig({
  entry: { cli: 'src/cli.ts', worker: 'src/processes/worker.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: false,
  fixedExtension: false,
  sourcemap: true,
  clean: true,
});
