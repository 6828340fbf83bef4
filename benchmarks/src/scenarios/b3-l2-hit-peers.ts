import { l2HitScenario } from '../contenders/b2-l2-scenario.js';
import { PEER_VARIANTS } from '../contenders/b3-variants.js';
import type { Scenario } from '../harness/types.js';

/**
 * B3 (TARGETS.md): B2's L2 hit workload on ioredis (50 concurrent reads of 1,000 warm ~1 KB
 * items, uniform keys) through cachekit and through the peers configured with Redis only:
 * BentoCache (L2 layer only), cache-manager on @keyv/redis, async-cache-dedupe's Redis storage.
 * verify() proves, with Redis's own counters, that each reads every item from Redis.
 */
const scenario: Scenario = l2HitScenario({
  id: 'B3',
  name: 'l2-hit-peers',
  title:
    'L2 hit vs peers on Redis only: one op is 50 concurrent reads, keys uniform over 1,000 warm items, 1 KB JSON',
  distribution: 'uniform',
  variants: PEER_VARIANTS,
  targets: [{ contender: 'cachekit-ioredis', against: 'best-peer', atLeast: 1.2 }],
});

export default scenario;
