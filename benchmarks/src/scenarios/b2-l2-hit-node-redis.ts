import { l2HitScenario } from '../contenders/b2-l2-scenario.js';
import { NODE_REDIS_VARIANTS } from '../contenders/b2-variants.js';
import type { Scenario } from '../harness/types.js';

/** B2 (TARGETS.md), node-redis, uniform keys: cachekit's `getOrSet` on nodeRedisStore vs raw `GET` + `JSON.parse`. */
const scenario: Scenario = l2HitScenario({
  id: 'B2-node-redis',
  name: 'l2-hit-node-redis',
  title:
    'L2 hit (no L1) on node-redis: one op is 50 concurrent reads, keys uniform over 1,000 warm items, 1 KB JSON',
  distribution: 'uniform',
  variants: NODE_REDIS_VARIANTS,
  targets: [{ contender: 'cachekit-node-redis', against: 'reference', atLeast: 1 }],
});

export default scenario;
