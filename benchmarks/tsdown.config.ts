import { defineConfig } from 'tsdown';

// One runnable file: the scenarios are pulled in by import.meta.glob in src/registry.ts.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: false,
  fixedExtension: false,
  sourcemap: true,
  clean: true,
});
