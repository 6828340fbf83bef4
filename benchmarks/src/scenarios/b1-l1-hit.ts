import { startRedisServer } from '@cachekit/redis-testkit';
import { asyncCacheDedupeReader } from '../contenders/async-cache-dedupe.js';
import { cacheManagerReader } from '../contenders/cache-manager.js';
import { cachekitReader } from '../contenders/cachekit.js';
import { type CrossInstanceOutcome, readAfterOtherWrites } from '../contenders/cross-instance.js';
import { handWrittenReader } from '../contenders/hand-written.js';
import { type MinerStatus, makeMinerStatus } from '../contenders/json-value.js';
import { checkL1Hits } from '../contenders/l1-hit-checks.js';
import type { KeyReader, ReaderOptions } from '../contenders/types.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';

/** TTL of every contender's entry: cachekit's MODERATE default, far longer than a run. */
const TTL_MS = 120_000;
/** Warm calls made by `verify`, each checked, none of which may reach Redis. */
const WARM_CHECKS = 200;
/**
 * How long `verify` reads, after another instance overwrote the key, before calling the value
 * stale: 250x the B6 target's p99 (2 ms).
 */
const CROSS_INSTANCE_MS = 500;

interface Variant {
  readonly name: string;
  readonly role: Role;
  readonly config: string;
  /** Has a Redis tier: the cold call must write the loaded value there. */
  readonly tiered: boolean;
  reader(options: ReaderOptions): KeyReader | Promise<KeyReader>;
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'cachekit',
    role: 'subject',
    tiered: true,
    config:
      "createCache({ store: ioredisStore({ client }), l1: true, sync: cacheSync(createBus({ transport: ioredisTransport({ client }) })) }) after cache.ready(): what several instances need to stay correct; default L1 options, default policy's TTL set to 2 min; getOrSet(key, loader).",
    reader: cachekitReader,
  },
  {
    name: 'async-cache-dedupe',
    role: 'peer',
    tiered: false,
    config:
      "createCache({ ttl: 120, storage: { type: 'memory', options: { size: 1024 } } }), one define()d function called with the key as a string; no stale, no references (its fastest documented hit path).",
    reader: asyncCacheDedupeReader,
  },
  {
    name: 'cache-manager',
    role: 'peer',
    tiered: true,
    config:
      "createCache({ stores: [createKeyv({ ttl, lruSize: 5000, useClone: false }) from cacheable (CacheableMemory, no serialization, no clone per hit), createKeyv(url) from @keyv/redis], ttl }); wrap(key, fn, ttl) as in its README's multi-store example.",
    reader: cacheManagerReader,
  },
  {
    name: 'hand-written',
    role: 'reference',
    tiered: true,
    config:
      'A bare Map of parsed values, ioredis GET/SET PX behind it, and an ioredis subscriber deleting keys from the Map on invalidation messages: the ceiling of an L1 hit.',
    reader: handWrittenReader,
  },
];

/**
 * B1 (TARGETS.md): the L1 hit path. Every contender reads one warm key through its cache-aside
 * call, awaited one call after the other; the value is a ~1 KB JSON object held parsed in
 * process. verify() proves each returns the loaded value, runs the loader once, writes its
 * Redis tier (when it has one) and then serves warm calls without a single Redis command; then
 * that a second instance's overwrite reaches it (a finding for a peer that keeps the old value).
 */
const scenario: Scenario = {
  id: 'B1',
  name: 'l1-hit',
  title: 'L1 hit: cache-aside read of a warm key, sequential awaited calls, 1 KB JSON object',
  latency: true,
  targets: [
    { contender: 'cachekit', against: 'reference', atLeast: 0.5 },
    { contender: 'cachekit', against: 'best-peer', atLeast: 3 },
  ],
  async setup() {
    const server = await startRedisServer();
    const expected = makeMinerStatus();
    const overwrite = (): MinerStatus => ({ ...makeMinerStatus(), state: 'overwritten' });
    const loads = new Map<string, number>();
    /** Contenders whose source now holds the overwritten value. */
    const changed = new Set<string>();
    const options = new Map<string, ReaderOptions>();
    const findings: string[] = [];
    const contenders = VARIANTS.map(
      (variant): ContenderSpec => ({
        name: variant.name,
        role: variant.role,
        config: variant.config,
        async start(): Promise<Contender> {
          loads.set(variant.name, 0);
          const readerOptions: ReaderOptions = {
            redisUrl: server.url,
            key: `b1-${variant.name}`,
            ttlMs: TTL_MS,
            loader: async () => {
              loads.set(variant.name, (loads.get(variant.name) ?? 0) + 1);
              return changed.has(variant.name) ? overwrite() : makeMinerStatus();
            },
          };
          options.set(variant.name, readerOptions);
          const reader = await variant.reader(readerOptions);
          return {
            name: variant.name,
            role: variant.role,
            op: reader.read,
            close: () => reader.close(),
          };
        },
      }),
    );

    /**
     * A second instance of the same library, configured alike on the same Redis, overwrites the
     * key (the source changed): the next reads of the first must return the new value. A peer
     * that keeps serving the old one is reported as a finding; the subject or the reference fails.
     */
    async function verifyAcrossInstances(contender: Contender, variant: Variant): Promise<void> {
      const readerOptions = options.get(variant.name);
      check(readerOptions !== undefined, `${variant.name} was not started`);
      const other = await variant.reader({ ...readerOptions, loader: async () => overwrite() });
      let outcome: CrossInstanceOutcome;
      try {
        changed.add(variant.name);
        outcome = await readAfterOtherWrites(contender.op, other, overwrite(), CROSS_INSTANCE_MS);
      } finally {
        await other.close();
      }
      if (outcome.served) {
        findings.push(
          `${variant.name}: correct across instances: served another instance's new value ${outcome.afterMs.toFixed(2)} ms after that write resolved (read ${outcome.reads}).`,
        );
        return;
      }
      const stale = `still served the overwritten value ${CROSS_INSTANCE_MS} ms after another instance's write resolved (${outcome.reads} reads)`;
      check(variant.role === 'peer', `not correct across instances: it ${stale}`);
      findings.push(`${variant.name}: NOT correct across instances: it ${stale}.`);
    }

    async function verify(contender: Contender): Promise<void> {
      const variant = VARIANTS.find((v) => v.name === contender.name);
      check(variant !== undefined, `unknown contender ${contender.name}`);
      await checkL1Hits({
        server,
        name: contender.name,
        op: contender.op,
        expected,
        loads: () => loads.get(contender.name) ?? 0,
        tiered: variant.tiered,
        warmCalls: WARM_CHECKS,
      });
      await verifyAcrossInstances(contender, variant);
    }

    return {
      contenders,
      verify,
      teardown: () => server.stop(),
      findings: () => findings,
    };
  },
};

export default scenario;
