import { l2HitScenario } from '../contenders/b2-l2-scenario.js';
import { IOREDIS_VARIANTS } from '../contenders/b2-variants.js';
import type { Scenario } from '../harness/types.js';

/** B2 (TARGETS.md), ioredis, Zipf keys (s = 1.1): the B2 contenders on a skewed key distribution. */
const scenario: Scenario = l2HitScenario({
  id: 'B2-zipf',
  name: 'l2-hit-driver-zipf',
  title:
    'L2 hit (no L1) on ioredis: one op is 50 concurrent reads, keys Zipf (s = 1.1) over 1,000 warm items, 1 KB JSON',
  distribution: 'zipf',
  variants: IOREDIS_VARIANTS,
  targets: [
    { contender: 'cachekit-ioredis', against: 'reference', atLeast: 1 },
    { contender: 'cachekit-ioredis-autopipelining', against: 'best-peer', atLeast: 0.9 },
  ],
});

export default scenario;
