import { l2HitScenario } from '../contenders/b2-l2-scenario.js';
import { IOREDIS_VARIANTS } from '../contenders/b2-variants.js';
import type { Scenario } from '../harness/types.js';

/**
 * B2 (TARGETS.md), ioredis, uniform keys: an L2-only hit through cachekit's `getOrSet` against the
 * raw client's `GET` + `JSON.parse`, with ioredis's defaults and with auto-pipelining. One op is
 * 50 concurrent reads of 1,000 warm ~1 KB items. Zipf keys: B2-zipf; node-redis: B2-node-redis.
 */
const scenario: Scenario = l2HitScenario({
  id: 'B2',
  name: 'l2-hit-driver',
  title:
    'L2 hit (no L1) on ioredis: one op is 50 concurrent reads, keys uniform over 1,000 warm items, 1 KB JSON',
  distribution: 'uniform',
  variants: IOREDIS_VARIANTS,
  targets: [
    { contender: 'cachekit-ioredis', against: 'reference', atLeast: 1 },
    { contender: 'cachekit-ioredis-autopipelining', against: 'best-peer', atLeast: 0.9 },
  ],
});

export default scenario;
