import { startRedisServer } from '@cachekit/redis-testkit';
import {
  asyncCacheDedupeMemory,
  cachekitL1,
  cacheManagerMemory,
  L1_MAX_BYTES,
} from '../contenders/b9-caches.js';
import {
  HEAP_METRICS,
  type HeapContender,
  heapContender,
  verifyBound,
} from '../contenders/b9-contender.js';
import type { HeapRun, OpenCache } from '../contenders/b9-stream.js';
import { gcExposed } from '../harness/measure.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';

const MIB = 1024 * 1024;
/** TARGETS.md B9: the heap stays within the L1's byte bound + 10 %. */
const HEAP_BOUND_MIB = (L1_MAX_BYTES / MIB) * 1.1;
/** Environment variable setting the subject's soak (ms of streaming per run, at least). */
const SOAK_ENV = 'BENCH_B9_SOAK_MS';
const SOAK_MS = { full: 60_000, quick: 1_000 };

const SUBJECT = 'cachekit-l1';

/** Sizes of a full and a quick run. */
const PLANS = {
  full: {
    keys: 1_000_000,
    maxEntries: 10_000,
    concurrency: 50,
    sampleEveryMs: 2_000,
    sampleEveryKeys: 50_000,
  },
  quick: {
    keys: 5_000,
    maxEntries: 1_000,
    concurrency: 50,
    sampleEveryMs: 100,
    sampleEveryKeys: 500,
  },
};

/** The subject's soak: `BENCH_B9_SOAK_MS` when set (a positive integer), else the mode's default. */
function soakMs(quick: boolean, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SOAK_ENV];
  if (raw === undefined || raw === '') return quick ? SOAK_MS.quick : SOAK_MS.full;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${SOAK_ENV} expects a positive integer (ms), got "${raw}".`);
  }
  return value;
}

interface Variant {
  readonly name: string;
  readonly role: Role;
  readonly config: string;
  open(redisUrl: string): OpenCache;
}

const VARIANTS: readonly Variant[] = [
  {
    name: SUBJECT,
    role: 'subject',
    config:
      'cachekit as in B1 (createCache({ store: ioredisStore({ client }), sync: cacheSync(bus) }), ready() awaited) with l1: { maxEntries: 10_000, maxBytes: 64 MiB } (its defaults, given explicitly), entry TTL 10 s; getOrSet(key, source), the source answering a fresh ~1 KB object (the miner status of B1) per key. The store is Redis: the heap holds the L1 and the clients. Streams 1M keys and at least the soak (BENCH_B9_SOAK_MS, default 60 s).',
    open: (url) => cachekitL1(url),
  },
  {
    name: 'cache-manager-memory',
    role: 'peer',
    config:
      "cache-manager 7 with B1's in-memory tier alone: createCache({ stores: [createKeyv({ ttl, lruSize: 10_000, useClone: false })] }) (cacheable's CacheableMemory, bounded by count only), wrap(key, fn, ttl). Streams the same 1M keys, no soak.",
    open: () => cacheManagerMemory(),
  },
  {
    name: 'async-cache-dedupe-memory',
    role: 'peer',
    config:
      "async-cache-dedupe 3.4 with its memory storage as its README shows: createCache({ ttl, storage: { type: 'memory', options: { size: 10_000 } } }) (an LRU bounded by count only), one define()d function. Streams the same 1M keys, no soak.",
    open: () => asyncCacheDedupeMemory(),
  },
];

function mib(value: number): string {
  return value.toFixed(1);
}

function finding(name: string, runs: readonly HeapRun[]): string {
  const keys = runs.reduce((sum, r) => sum + r.keys, 0);
  const seconds = runs.reduce((sum, r) => sum + r.streamingMs, 0) / 1000;
  const held = runs.flatMap((r) => r.held);
  const last = runs.at(-1);
  if (last === undefined) return `${name}: no timed run`;
  return `${name}: ${keys.toLocaleString('en')} distinct keys in ${seconds.toFixed(0)} s of streaming (${Math.round(keys / seconds).toLocaleString('en')} keys/s); heap before ${mib(last.baseline)} MiB, then held over it: max ${mib(Math.max(...held))} MiB, at the end ${mib(last.held.at(-1) ?? Number.NaN)} MiB, ${last.growth >= 0 ? '+' : ''}${mib(last.growth)} MiB from the fill to the end (slope ${last.slope.toFixed(2)} MiB/min), ${mib(last.afterClose)} MiB after close`;
}

/**
 * B9 (TARGETS.md): memory under 1M distinct keys. Each contender's operation is one run on a
 * fresh cache, in this process: a heap sample (after a forced full collection) before the cache
 * exists, then 1M distinct keys read through it once each (every read a miss that loads, stores and
 * evicts) with heap samples while streaming, then after it is closed. The subject keeps streaming
 * until its soak has passed too (`BENCH_B9_SOAK_MS`, 60 s by default; 600000 for the 10-minute soak
 * of TARGETS.md), and the slope of the heap over that time is its "no growth" figure. Every
 * contender builds and drops its cache inside its own operation, so the samples count that cache
 * alone.
 */
const scenario: Scenario = {
  id: 'B9',
  name: 'memory-bound',
  title:
    '1M distinct keys through an in-process tier bounded at 10k entries / 64 MiB: heap held, and its slope over a soak',
  latency: false,
  ratesCompared: false,
  targets: [],
  metrics: [
    {
      name: HEAP_METRICS.held,
      unit: 'MiB',
      description:
        'heapUsed after a forced full collection minus the same before the cache was opened, sampled every 2 s or 50k keys while streaming (quick: 100 ms / 500 keys) and at the end',
    },
    {
      name: HEAP_METRICS.slope,
      unit: 'MiB/min',
      description:
        'least-squares slope of heap-held over streaming time, after the tier filled (3x its entry bound), one per run',
    },
    {
      name: HEAP_METRICS.afterClose,
      unit: 'MiB',
      description: 'heap over the baseline once the cache is closed and released, one per run',
    },
    {
      name: HEAP_METRICS.keysPerSec,
      unit: 'keys/s',
      description:
        'distinct keys read per second of streaming (heap sampling excluded), one per run',
    },
  ],
  metricTargets: [
    { contender: SUBJECT, metric: HEAP_METRICS.held, statistic: 'max', atMost: HEAP_BOUND_MIB },
    // No growth: at most 0.5 MiB/min, 5 MiB over the 10-minute soak (within the 10 % margin).
    { contender: SUBJECT, metric: HEAP_METRICS.slope, statistic: 'max', atMost: 0.5 },
    // Closing the cache gives everything back (within 1 MiB of the baseline).
    { contender: SUBJECT, metric: HEAP_METRICS.afterClose, statistic: 'max', atMost: 1 },
  ],
  // One run per contender: it is a whole lifecycle of 1M keys (the quick run keeps its 2 rounds).
  sizeRun(config) {
    return {
      ...config,
      rounds: config.quick ? config.rounds : 1,
      warmupOps: 0,
      roundWarmupOps: 0,
      ops: 1,
      latencySamples: 0,
    };
  },
  async setup(options) {
    const server = await startRedisServer();
    const mode = options.quick ? 'quick' : 'full';
    const sizes = PLANS[mode];
    const soak = soakMs(options.quick);
    const started = new Map<string, HeapContender>();
    const contenders: ContenderSpec[] = VARIANTS.map((variant) => ({
      name: variant.name,
      role: variant.role,
      config: variant.config,
      async start(): Promise<Contender> {
        const contender = heapContender(variant, variant.open(server.url), {
          ...sizes,
          soakMs: variant.role === 'subject' ? soak : 0,
          fillKeys: 3 * sizes.maxEntries,
        });
        started.set(variant.name, contender);
        return contender;
      },
    }));

    async function verify(contender: Contender): Promise<void> {
      const { openCache } = contender as HeapContender;
      check(typeof openCache === 'function', `${contender.name} is not a B9 contender`);
      await verifyBound(openCache, sizes);
    }

    return {
      contenders,
      verify,
      teardown: () => server.stop(),
      findings: () => [
        ...(gcExposed
          ? []
          : [
              'heap samples taken WITHOUT forced collections (node without --expose-gc): they include garbage',
            ]),
        `${SUBJECT} soak: ${(soak / 1000).toLocaleString('en')} s of streaming at least (${SOAK_ENV}); heap bound checked: ${HEAP_BOUND_MIB.toFixed(1)} MiB (64 MiB + 10 %)`,
        ...[...started].map(([name, contender]) => finding(name, contender.runs)),
      ],
    };
  },
};

export default scenario;
