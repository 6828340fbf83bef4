import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Tests import every workspace package from its source, never from dist. */
const alias = [
  { find: /^@cachekit\/core$/, replacement: fromRoot('./packages/core/src/index.ts') },
  {
    find: /^@cachekit\/core\/testing$/,
    replacement: fromRoot('./packages/core/src/testing/index.ts'),
  },
  { find: /^@cachekit\/ioredis$/, replacement: fromRoot('./packages/ioredis/src/index.ts') },
  { find: /^@cachekit\/node-redis$/, replacement: fromRoot('./packages/node-redis/src/index.ts') },
  { find: /^@cachekit\/metrics$/, replacement: fromRoot('./packages/metrics/src/index.ts') },
  { find: /^@cachekit\/fastify$/, replacement: fromRoot('./packages/fastify/src/index.ts') },
  { find: /^@cachekit\/mcp$/, replacement: fromRoot('./packages/mcp/src/index.ts') },
  { find: /^@cachekit\/pubsub$/, replacement: fromRoot('./packages/pubsub/src/index.ts') },
  {
    find: /^@cachekit\/redis-testkit$/,
    replacement: fromRoot('./packages/redis-testkit/src/index.ts'),
  },
  {
    find: /^@cachekit\/redis-testkit\/vitest$/,
    replacement: fromRoot('./packages/redis-testkit/src/vitest.ts'),
  },
];

/** One project per package; each runs `<dir>/test/**\/*.test.ts`. */
const project = (name: string, dir: string): TestProjectInlineConfiguration => ({
  resolve: { alias },
  test: {
    name,
    root: fromRoot('.'),
    include: [`${dir}/test/**/*.test.ts`],
    environment: 'node',
  },
});

export default defineConfig({
  resolve: { alias },
  test: {
    // Runs once per vitest run (not per project): one standalone Redis + one cluster for all.
    globalSetup: [fromRoot('./packages/redis-testkit/src/global-setup.ts')],
    projects: [
      project('core', 'packages/core'),
      project('ioredis', 'packages/ioredis'),
      project('node-redis', 'packages/node-redis'),
      project('pubsub', 'packages/pubsub'),
      project('metrics', 'packages/metrics'),
      project('fastify', 'packages/fastify'),
      project('mcp', 'packages/mcp'),
      project('redis-testkit', 'packages/redis-testkit'),
      project('quickstart', 'examples/quickstart'),
      project('fleet', 'examples/fleet'),
      project('benchmarks', 'benchmarks'),
    ],
  },
});
