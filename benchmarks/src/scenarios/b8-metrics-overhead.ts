import { cacheMetrics } from '@cachekit/metrics';
import { startRedisServer } from '@cachekit/redis-testkit';
import { Registry } from 'prom-client';
import {
  type CachekitInstance,
  cachekitReader,
  connectCachekit,
  instanceReader,
} from '../contenders/cachekit.js';
import { makeMinerStatus } from '../contenders/json-value.js';
import { checkL1Hits } from '../contenders/l1-hit-checks.js';
import { scrapedValue } from '../contenders/prometheus-scrape.js';
import type { KeyReader, ReaderOptions } from '../contenders/types.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';

/** TTL of the entry, as in B1: far longer than a run. */
const TTL_MS = 120_000;
/** Warm calls made by `verify`, each checked; the instrumentation must count them as hits. */
const WARM_CHECKS = 200;
/** The namespace `connectCachekit` gives the cache, as the metrics label it. */
const NAMESPACE = 'bench';

/** A reader, and (for an instrumented one) how `verify` proves the instrumentation counts. */
interface Instrumented {
  readonly reader: KeyReader;
  /** Called after the cold call and the warm ones: throws unless they were counted. */
  readonly counted?: () => Promise<void>;
}

interface Variant {
  readonly name: string;
  readonly role: Role;
  readonly config: string;
  start(options: ReaderOptions): Promise<Instrumented>;
}

/** Connects cachekit as B1 does and instruments it; closes it if instrumenting throws. */
async function instrumented(
  options: ReaderOptions,
  attach: (instance: CachekitInstance) => Omit<Instrumented, 'reader'> & { detach(): void },
): Promise<Instrumented> {
  const instance = await connectCachekit(options);
  try {
    const { detach, ...rest } = attach(instance);
    return { ...rest, reader: instanceReader(instance, options, detach) };
  } catch (error) {
    await instance.close();
    throw error;
  }
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'cachekit',
    role: 'reference',
    config:
      'cachekit exactly as B1 measures it (cachekitReader, src/contenders/cachekit.ts): createCache({ store: ioredisStore({ client }), l1: true, sync: cacheSync(createBus({ transport: ioredisTransport({ client }) })) }) after cache.ready(), default policy TTL 2 min; getOrSet(key, loader). No metrics.',
    start: async (options) => ({ reader: await cachekitReader(options) }),
  },
  {
    name: 'cachekit+metrics',
    role: 'subject',
    config:
      'The same cachekit, plus cacheMetrics(cache, { prometheus: { registry: new Registry() } }) from @cachekit/metrics: every Prometheus series it defines (hits by tier, misses, stale, sets, errors, invalidations, hit ratio, operation and loader duration histograms) on a private prom-client Registry, scraped by verify(). OpenTelemetry off (@opentelemetry/api is no dependency of the benchmarks, and its meter without an SDK is a no-op), no bus, no keyGroup, no log timer.',
    start: (options) =>
      instrumented(options, ({ cache }) => {
        const registry = new Registry();
        const metrics = cacheMetrics(cache, { prometheus: { registry } });
        return {
          detach: () => metrics.close(),
          async counted() {
            const scrape = await registry.metrics();
            const hits = scrapedValue(scrape, 'cachekit_hits_total', {
              namespace: NAMESPACE,
              tier: 'l1',
            });
            check(
              hits >= WARM_CHECKS,
              `after ${WARM_CHECKS} warm calls its registry counts ${hits} L1 hits (cachekit_hits_total{namespace="${NAMESPACE}",tier="l1"}): the metrics are not counting`,
            );
            const misses = scrapedValue(scrape, 'cachekit_misses_total', { namespace: NAMESPACE });
            check(misses >= 1, `its registry counts ${misses} misses after the cold call`);
          },
        };
      }),
  },
  {
    name: 'cachekit+hit-listener',
    role: 'subject',
    config:
      "For context, no target: the same cachekit with one cache.on('hit', listener) that counts every hit event, L1 hits included (the default): what a listener-based counter costs on this path, which @cachekit/metrics avoids by listening with { l1Hits: false } and reading cache.l1HitCounts() when scraped.",
    start: (options) =>
      instrumented(options, ({ cache }) => {
        let hits = 0;
        const detach = cache.on('hit', () => {
          hits++;
        });
        return {
          detach,
          async counted() {
            check(
              hits >= WARM_CHECKS,
              `its listener saw ${hits} hits in ${WARM_CHECKS} warm calls`,
            );
          },
        };
      }),
  },
];

/**
 * B8 (TARGETS.md): what @cachekit/metrics costs on B1's path, an L1 hit through `getOrSet` in
 * sequential awaited calls, cachekit configured exactly as in B1; and, for context, what a plain
 * hit listener costs there. verify() runs B1's hit checks on every contender, then proves the
 * instrumentation is really on: a scrape of the subject's registry counts the warm calls as L1
 * hits and the cold one as a miss; the listener saw every warm hit.
 */
const scenario: Scenario = {
  id: 'B8',
  name: 'metrics-overhead',
  title:
    'metrics overhead: B1 L1 hit through getOrSet with and without @cachekit/metrics (Prometheus), sequential awaited calls',
  latency: true,
  targets: [{ contender: 'cachekit+metrics', against: 'reference', atLeast: 0.95 }],
  async setup() {
    const server = await startRedisServer();
    const expected = makeMinerStatus();
    const loads = new Map<string, number>();
    const counted = new Map<string, () => Promise<void>>();
    const contenders = VARIANTS.map(
      (variant): ContenderSpec => ({
        name: variant.name,
        role: variant.role,
        config: variant.config,
        async start(): Promise<Contender> {
          loads.set(variant.name, 0);
          const started = await variant.start({
            redisUrl: server.url,
            key: `b8-${variant.name}`,
            ttlMs: TTL_MS,
            loader: async () => {
              loads.set(variant.name, (loads.get(variant.name) ?? 0) + 1);
              return makeMinerStatus();
            },
          });
          if (started.counted !== undefined) counted.set(variant.name, started.counted);
          const { reader } = started;
          return {
            name: variant.name,
            role: variant.role,
            op: reader.read,
            close: () => reader.close(),
          };
        },
      }),
    );

    async function verify(contender: Contender): Promise<void> {
      await checkL1Hits({
        server,
        name: contender.name,
        op: contender.op,
        expected,
        loads: () => loads.get(contender.name) ?? 0,
        tiered: true,
        warmCalls: WARM_CHECKS,
      });
      await counted.get(contender.name)?.();
    }

    return { contenders, verify, teardown: () => server.stop() };
  },
};

export default scenario;
