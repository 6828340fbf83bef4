import { isDeepStrictEqual } from 'node:util';
import { type RedisAddress, startRedisServer } from '@cachekit/redis-testkit';
import type {
  Contender,
  ContenderSpec,
  RatioTarget,
  Role,
  RunConfig,
  Scenario,
} from '../harness/types.js';
import { check, preview, VerificationError } from '../harness/verify.js';
import type { L2Reader, L2ReaderOptions } from './b2-readers.js';
import { commandList, commandTotal, redisReadsDuring } from './b2-redis-reads.js';
import {
  BatchReader,
  distinctPerOp,
  itemValue,
  KEY_COUNT,
  type KeyDistribution,
  keySequence,
  READS_PER_OP,
} from './b2-workload.js';

/** TTL of every entry: far longer than a run, so every timed read is a hit. */
const TTL_MS = 600_000;
/** Sequential reads of one item in `verify`: each must reach Redis (no in-process tier). */
const REPEATED_READS = 100;
/** Operations `verify` runs through the timed op, counting what Redis did. */
const LOAD_CHECK_OPS = { full: 100, quick: 10 };

/** One contender of an L2 scenario. */
export interface L2Variant {
  readonly name: string;
  readonly role: Role;
  /** How it is configured and why (the JSON report prints it). */
  readonly config: string;
  /** A cache with a source: warming must load every item once, and no read after it may load. */
  readonly cache: boolean;
  reader(options: L2ReaderOptions): L2Reader | Promise<L2Reader>;
}

export interface L2ScenarioOptions {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly distribution: KeyDistribution;
  readonly variants: readonly L2Variant[];
  readonly targets: readonly RatioTarget[];
}

/** What the scenario keeps of a started contender. */
interface Started {
  readonly reader: L2Reader;
  readonly batch: BatchReader;
  /** Source calls so far. */
  loads: number;
  /** Set once verified: from then on a source call (a miss) fails the operation. */
  sealed: boolean;
}

/** `12,345` */
const count = (n: number): string => n.toLocaleString('en-US');

/**
 * An L2 hit scenario (B2, B3): every contender reads {@link KEY_COUNT} warm ~1 KB JSON items
 * from one `redis-server`, each under its own keys, with no in-process tier; one operation is
 * {@link READS_PER_OP} concurrent reads (keys from one deterministic sequence, uniform or Zipf),
 * so the table gives reads/s. `verify` proves, per contender, that every item reads back equal to
 * its value, that repeated reads of one item each reach Redis (`keyspace_hits`), that the timed
 * operation makes Redis find at least every distinct key of each operation (nothing is served
 * from memory), and that a cache never calls its source after warming; what each read costs
 * Redis under load is reported as a finding.
 */
export function l2HitScenario(options: L2ScenarioOptions): Scenario {
  const { distribution, variants } = options;
  return {
    id: options.id,
    name: options.name,
    title: options.title,
    latency: true,
    targets: options.targets,
    sizeRun(config: RunConfig): RunConfig {
      // One op is 50 reads (~1 ms): a few hundred ops warm a contender up. Several scenarios
      // share this workload, so each timed run gets half the run's time budget.
      if (config.quick) {
        return { ...config, warmupOps: 10, roundWarmupOps: 2, ops: 20, latencySamples: 10 };
      }
      return {
        ...config,
        warmupOps: 200,
        roundWarmupOps: 20,
        timeMs: Math.max(100, Math.round(config.timeMs / 2)),
        latencySamples: 100,
      };
    },
    async setup(scenarioOptions) {
      const server = await startRedisServer();
      const sequence = keySequence(distribution);
      const distinct = distinctPerOp(sequence);
      const expected = Array.from({ length: KEY_COUNT }, (_, i) => itemValue(i));
      const started = new Map<string, Started>();
      const findings: string[] = [];
      const loadCheckOps = scenarioOptions.quick ? LOAD_CHECK_OPS.quick : LOAD_CHECK_OPS.full;

      const contenders = variants.map(
        (variant): ContenderSpec => ({
          name: variant.name,
          role: variant.role,
          config: variant.config,
          async start(): Promise<Contender> {
            let state: Started | undefined;
            const load = async (index: number): Promise<unknown> => {
              if (state === undefined) throw new Error(`${variant.name} is not started`);
              if (state.sealed) {
                throw new VerificationError(
                  `the source was called for item ${index}: a miss, not an L2 hit`,
                );
              }
              state.loads++;
              return itemValue(index);
            };
            const reader = await variant.reader({
              redisUrl: server.url,
              prefix: `b2-${variant.name}`,
              ttlMs: TTL_MS,
              load,
            });
            state = {
              reader,
              batch: new BatchReader(reader.read, sequence),
              loads: 0,
              sealed: false,
            };
            started.set(variant.name, state);
            try {
              await reader.warm();
            } catch (error) {
              await reader.close().catch(() => undefined);
              throw error;
            }
            return {
              name: variant.name,
              role: variant.role,
              op: state.batch.op,
              close: () => reader.close(),
            };
          },
        }),
      );

      /** Distinct keys of the `ops` operations starting at op `from` of the sequence. */
      function distinctKeys(from: number, ops: number): number {
        let total = 0;
        for (let i = 0; i < ops; i++) total += distinct[(from + i) % distinct.length] as number;
        return total;
      }

      async function verify(contender: Contender): Promise<void> {
        const variant = variants.find((v) => v.name === contender.name);
        const state = started.get(contender.name);
        check(variant !== undefined && state !== undefined, `${contender.name} was not started`);
        const { reader, batch } = state;
        const warmLoads = variant.cache ? KEY_COUNT : 0;
        check(
          state.loads === warmLoads,
          `warming called the source ${state.loads} times, not ${warmLoads} (once per item)`,
        );
        await checkEveryItem(server, reader, expected);
        await checkRepeatedReads(server, reader, expected);
        const from = batch.nextOp;
        const underLoad = await redisReadsDuring(server, async () => {
          for (let i = 0; i < loadCheckOps; i++) await batch.op();
        });
        const reads = loadCheckOps * READS_PER_OP;
        const floor = distinctKeys(from, loadCheckOps);
        check(
          underLoad.keyHits >= floor,
          `${count(reads)} reads (${count(floor)} distinct keys per op, summed) made Redis find ${count(underLoad.keyHits)} keys: some were served from memory`,
        );
        check(
          state.loads === warmLoads,
          `reads after warming called the source ${state.loads - warmLoads} times: misses`,
        );
        state.sealed = true;
        const total = commandTotal(underLoad);
        findings.push(
          `${contender.name}: ${count(reads)} reads of the timed workload (${loadCheckOps} ops, ${count(floor)} distinct keys per op summed): Redis found ${count(underLoad.keyHits)} keys, ${commandList(underLoad)} (${(total / reads).toFixed(2)} commands per read).`,
        );
      }

      return {
        contenders,
        verify,
        unit: { name: 'read', perOp: READS_PER_OP },
        teardown: () => server.stop(),
        findings: () => findings,
      };
    },
  };
}

/**
 * Every item read once ({@link READS_PER_OP} at a time) equals its value, and Redis found each
 * key: the values come from Redis.
 */
async function checkEveryItem(
  server: RedisAddress,
  reader: L2Reader,
  expected: readonly unknown[],
): Promise<void> {
  let wrong: string | undefined;
  const reads = await redisReadsDuring(server, async () => {
    for (let start = 0; start < KEY_COUNT; start += READS_PER_OP) {
      const indexes = Array.from({ length: READS_PER_OP }, (_, i) => start + i);
      const values = await Promise.all(indexes.map((i) => reader.read(i)));
      values.forEach((value, i) => {
        const index = indexes[i] as number;
        if (wrong === undefined && !isDeepStrictEqual(value, expected[index])) {
          wrong = `item ${index} read back as ${preview(value)}`;
        }
      });
    }
  });
  check(wrong === undefined, `${wrong}, not its value`);
  check(
    reads.keyHits >= KEY_COUNT,
    `reading the ${count(KEY_COUNT)} items made Redis find ${count(reads.keyHits)} keys: not every read reached Redis`,
  );
}

/** {@link REPEATED_READS} sequential reads of one item: each returns it and reaches Redis. */
async function checkRepeatedReads(
  server: RedisAddress,
  reader: L2Reader,
  expected: readonly unknown[],
): Promise<void> {
  let wrong: unknown;
  const reads = await redisReadsDuring(server, async () => {
    for (let i = 0; i < REPEATED_READS; i++) {
      const value = await reader.read(0);
      if (wrong === undefined && !isDeepStrictEqual(value, expected[0])) wrong = value;
    }
  });
  check(wrong === undefined, `a repeated read of item 0 returned ${preview(wrong)}`);
  check(
    reads.keyHits >= REPEATED_READS,
    `${REPEATED_READS} sequential reads of one item made Redis find ${reads.keyHits} keys: an in-process tier served some`,
  );
}
