import { startRedisServer } from '@cachekit/redis-testkit';
import { cachekitInvalidator } from '../contenders/b5-cachekit.js';
import {
  expectKeys,
  type InvalidationContender,
  type SetSizes,
  startInvalidationContender,
} from '../contenders/b5-contender.js';
import { CONTROL_SET, type Invalidator } from '../contenders/b5-invalidator.js';
import { asyncCacheDedupeInvalidator, bentocacheInvalidator } from '../contenders/b5-peers.js';
import { scanUnlinkInvalidator } from '../contenders/b5-scan-unlink.js';
import { percentileOfSorted } from '../harness/stats.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';

const SIZE_METRICS = ['keys-1k', 'keys-10k', 'keys-100k'] as const;
const GROWTH = 'growth-1k-to-100k';
/** Keys per set; quick mode uses a hundredth. */
const SIZES = { full: [1_000, 10_000, 100_000], quick: [10, 100, 1_000] };
const CONTROL = { full: 1_000, quick: 100 };
/** Keys of the set verify() reads back one by one, before and after its invalidation. */
const VERIFIED = { full: 1_000, quick: 100 };
/** Rounds of a full run, whatever `--rounds` asks above it (see sizeRun). */
const MAX_ROUNDS = 5;
/** TARGETS.md B5: at 100k keys, at least this many times faster than the SCAN delete. */
const SPEEDUP_TARGET = 100;

const TAGS = 'cachekit-tags';
const PATTERN = 'cachekit-deleteMatching';
const SCAN = 'scan-unlink';

interface Variant {
  readonly name: string;
  readonly role: Role;
  readonly config: string;
  open(redisUrl: string): Promise<Invalidator>;
}

const VARIANTS: readonly Variant[] = [
  {
    name: TAGS,
    role: 'subject',
    config:
      "cachekit as in B1 (createCache({ store: ioredisStore({ client }), l1: true, sync: cacheSync(bus) }), ready() awaited), namespace b5-tags; each entry cache.set([set, i], value, { tags: [set] }); timed: cache.invalidateTags([set]) (one generation bump in Redis, the L1's local tag version, one bus message). The first entry of a set is written by cache.set, the others are pipelined byte copies of it.",
    open: (url) => cachekitInvalidator(url, 'b5-tags', 'tags'),
  },
  {
    name: PATTERN,
    role: 'subject',
    config:
      "The same cachekit (namespace b5-pattern), entries without tags; timed: cache.deleteMatching('<set>:*'): SCAN MATCH COUNT 1000 with each batch UNLINKed while the next is fetched (its ioredis store's defaults), L1 dropped by pattern, one bus message.",
    open: (url) => cachekitInvalidator(url, 'b5-pattern', 'pattern'),
  },
  {
    name: SCAN,
    role: 'reference',
    config:
      'Plain ioredis: entries SET b5raw:<set>:<i> PX; timed: the loop written by hand, SCAN cursor MATCH b5raw:<set>:* COUNT 1000 then UNLINK of the batch, awaited one after the other until the cursor is 0.',
    open: async (url) => scanUnlinkInvalidator(url, 'b5raw:'),
  },
  {
    name: 'bentocache-tags',
    role: 'peer',
    config:
      "BentoCache 1.6 as its multi-tier docs show: bentostore().useL1Layer(memoryDriver({ maxSize: '10mb' })).useL2Layer(redisDriver({ connection })).useBus(redisBusDriver({ connection })), prefix b5bento; each entry bento.set({ key: '<set>:<i>', value, tags: [set] }); timed: bento.deleteByTag({ tags: [set] }) (one tag key holding the invalidation time, checked on read). First entry by bento.set, the others pipelined byte copies.",
    open: async (url) => bentocacheInvalidator(url, 'b5bento'),
  },
  {
    name: 'async-cache-dedupe-refs',
    role: 'peer',
    config:
      "async-cache-dedupe 3.4 as its README's Invalidation section shows: Redis storage with invalidation: { referencesTTL } (= the TTL), define('item', { references: (id) => [set] }, load); timed: cache.invalidateAll(set) (SMEMBERS of the reference, DEL of every key, then the keys' own reference sets). First entry by cache.set('item', key, value, ttl, [set]), the others pipelined copies of its value and of its two reference sets.",
    open: async (url) => asyncCacheDedupeInvalidator(url),
  },
];

/** p50 of each size's timed invalidations in ms, as the report computes it (NaN when none). */
function medians(contender: InvalidationContender): number[] {
  return contender.history.map((times) =>
    times.length === 0
      ? Number.NaN
      : percentileOfSorted(
          [...times].sort((a, b) => a - b),
          50,
        ),
  );
}

function ms(value: number): string {
  return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0);
}

/** One line per contender (its p50 per size), then the speed-up target at the largest size. */
function findingsOf(
  started: ReadonlyMap<string, InvalidationContender>,
  sizes: SetSizes,
): string[] {
  const lines: string[] = [];
  const p50 = new Map<string, number[]>();
  for (const [name, contender] of started) {
    const values = medians(contender);
    p50.set(name, values);
    const first = values[0] ?? Number.NaN;
    const last = values[values.length - 1] ?? Number.NaN;
    const perSize = values.map((v, i) => `${ms(v)} ms at ${sizes.sizes[i]?.toLocaleString('en')}`);
    lines.push(
      `${name}: p50 ${perSize.join(', ')} keys (largest over smallest: ${(last / first).toFixed(1)}x)`,
    );
  }
  const largest = (name: string): number => p50.get(name)?.at(-1) ?? Number.NaN;
  const keys = sizes.sizes.at(-1)?.toLocaleString('en');
  for (const against of [SCAN, PATTERN]) {
    const speedup = largest(against) / largest(TAGS);
    if (!Number.isFinite(speedup)) continue;
    const met =
      sizes.sizes.at(-1) !== SIZES.full.at(-1)
        ? 'applies to the full run'
        : speedup >= SPEEDUP_TARGET
          ? 'met'
          : 'MISSED';
    lines.push(
      `${TAGS} at ${keys} keys: ${speedup.toFixed(0)}x faster than ${against} (p50 ${ms(largest(TAGS))} ms vs ${ms(largest(against))} ms; target >= ${SPEEDUP_TARGET}x: ${met})`,
    );
  }
  return lines;
}

/**
 * B5 (TARGETS.md): invalidating every entry carrying one tag, when 1k, 10k or 100k entries carry
 * it: cachekit's `invalidateTags` (one generation bump) against deleting the same keys by pattern
 * (cachekit `deleteMatching`, a hand-written SCAN + UNLINK loop) and the peers' tag or reference
 * invalidation. The harness times whole operations, and writing 100k entries costs far more than
 * a generation bump, so each contender times its invalidation call itself: one operation writes a
 * fresh set of each size (not timed), times its invalidation (a metric per size) and checks it.
 */
const scenario: Scenario = {
  id: 'B5',
  name: 'tag-invalidation',
  title:
    'invalidate every entry of one tag (1k / 10k / 100k keys): cachekit invalidateTags vs SCAN-pattern deletes and the peers',
  latency: false,
  ratesCompared: false,
  targets: [],
  metrics: [
    ...SIZE_METRICS.map((name, i) => {
      const keys = SIZES.full[i]?.toLocaleString('en');
      return {
        name,
        unit: 'ms',
        description: `one invalidation of a freshly written set of ${keys} keys (quick: a hundredth), the call alone`,
      };
    }),
    {
      name: GROWTH,
      unit: 'x',
      description:
        'in one operation, the 100k-key invalidation time over the 1k-key one (1 = independent of key count)',
    },
  ],
  // O(1): the time must not grow with the key count (a factor of 2 allowed for noise).
  metricTargets: [{ contender: TAGS, metric: GROWTH, statistic: 'p50', atMost: 2 }],
  // One cycle a round; at most 5 rounds (TARGETS.md's minimum): each writes 111k keys per
  // contender, and async-cache-dedupe's 100k-key invalidation alone takes seconds.
  sizeRun(config) {
    return {
      ...config,
      rounds: Math.min(config.rounds, MAX_ROUNDS),
      warmupOps: 0,
      roundWarmupOps: 0,
      ops: 1,
      latencySamples: 0,
    };
  },
  async setup(options) {
    const server = await startRedisServer();
    const mode = options.quick ? 'quick' : 'full';
    const sizes: SetSizes = {
      sizes: SIZES[mode],
      metrics: SIZE_METRICS,
      growthMetric: GROWTH,
      control: CONTROL[mode],
    };
    const started = new Map<string, InvalidationContender>();
    const contenders: ContenderSpec[] = VARIANTS.map((variant) => ({
      name: variant.name,
      role: variant.role,
      config: variant.config,
      async start(): Promise<Contender> {
        const contender = await startInvalidationContender(variant, sizes, () =>
          variant.open(server.url),
        );
        started.set(variant.name, contender);
        return contender;
      },
    }));

    async function verify(contender: Contender): Promise<void> {
      const subject = contender as InvalidationContender;
      check(subject.invalidator !== undefined, `${contender.name} is not a B5 contender`);
      const { invalidator } = subject;
      const size = VERIFIED[mode];
      const every = Array.from({ length: size }, (_, i) => i);
      const control = Array.from({ length: subject.control }, (_, i) => i);
      subject.verifying = true;
      try {
        await invalidator.populate('verified', size);
        await expectKeys(invalidator, 'verified', every, 'hit');
        await expectKeys(invalidator, CONTROL_SET, control, 'hit');
        const deleted = await invalidator.invalidate('verified');
        check(deleted === undefined || deleted === size, `deleted ${deleted} keys of ${size}`);
        await expectKeys(invalidator, 'verified', every, 'miss');
        await expectKeys(invalidator, CONTROL_SET, control, 'hit');
        await invalidator.cleanup('verified', size);
        // A cycle over the smaller sizes (with its own checks) as the warm-up; the largest is
        // checked the same way in every timed operation.
        await subject.cycle(sizes.sizes.slice(0, -1));
      } finally {
        subject.verifying = false;
      }
    }

    return {
      contenders,
      verify,
      teardown: () => server.stop(),
      findings: () => findingsOf(started, sizes),
    };
  },
};

export default scenario;
