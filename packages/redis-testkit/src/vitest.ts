import { inject } from 'vitest';
import type { RedisTestConfig } from './config.js';

export type { RedisTestConfig } from './config.js';

/** The Redis servers the global setup provided to this test run (`inject('redis')`). */
export function redisFromInject(): RedisTestConfig {
  const config = inject('redis');
  if (config === undefined) {
    throw new Error(
      "inject('redis') is undefined: the root vitest.config.ts must list " +
        'packages/redis-testkit/src/global-setup.ts in test.globalSetup (run vitest from the repo root)',
    );
  }
  return config;
}
