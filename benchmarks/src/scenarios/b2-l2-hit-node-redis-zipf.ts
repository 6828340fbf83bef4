import { l2HitScenario } from '../contenders/b2-l2-scenario.js';
import { NODE_REDIS_VARIANTS } from '../contenders/b2-variants.js';
import type { Scenario } from '../harness/types.js';

/** B2 (TARGETS.md), node-redis, Zipf keys (s = 1.1). */
const scenario: Scenario = l2HitScenario({
  id: 'B2-node-redis-zipf',
  name: 'l2-hit-node-redis-zipf',
  title:
    'L2 hit (no L1) on node-redis: one op is 50 concurrent reads, keys Zipf (s = 1.1) over 1,000 warm items, 1 KB JSON',
  distribution: 'zipf',
  variants: NODE_REDIS_VARIANTS,
  targets: [{ contender: 'cachekit-node-redis', against: 'reference', atLeast: 1 }],
});

export default scenario;
