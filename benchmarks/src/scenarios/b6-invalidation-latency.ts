import { startRedisServer } from '@cachekit/redis-testkit';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';
import { InvalidationRounds } from '../processes/invalidation-rounds.js';
import type { WorkerKind } from '../processes/protocol.js';
import { startWorkers } from '../processes/worker-client.js';

/** Processes sharing one Redis (TARGETS.md B6). */
const PROCESSES = 4;
/** A process that has not dropped its copy this long after the delete fails the contender. */
const DROP_TIMEOUT_MS = 2_000;
/** Entries outlive the run: only the invalidation can remove them. */
const TTL_MS = 120_000;
/** Rounds (one sample of `all-dropped` each) over the whole run. */
const SAMPLES = { full: 600, quick: 20 };

interface Variant {
  readonly name: string;
  readonly role: Role;
  readonly kind: WorkerKind;
  readonly config: string;
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'cachekit',
    role: 'subject',
    kind: 'cachekit',
    config:
      "4 worker processes (dist/worker.js), each with createCache({ store: ioredisStore({ client }), l1: true, sync: cacheSync(createBus({ transport: ioredisTransport({ client }) })) }) after cache.ready(), as in B1. One calls cache.delete(key); the others time their remote 'invalidate' event (event.remote === true), fired once the L1 copy is gone.",
  },
  {
    name: 'hand-written',
    role: 'reference',
    kind: 'hand-written',
    config:
      '4 worker processes, each a bare Map over ioredis GET/SET and an ioredis subscriber that deletes the published key from the Map. One sends DEL then PUBLISH key; the others time the Map delete: the floor of this machine.',
  },
];

/**
 * B6 (TARGETS.md): cross-process L1 invalidation latency. One operation is one round over 4
 * worker processes on the scenario's redis-server: all 4 read a fresh key into L1, one (a
 * different one each round) deletes it, noting the wall-clock time just before the call, and
 * the 3 others report the wall-clock time their copy dropped. verify() also proves that after
 * the drop each of them loads the source's new version.
 */
const scenario: Scenario = {
  id: 'B6',
  name: 'invalidation-latency',
  title: `cross-process L1 invalidation: delete() in 1 of ${PROCESSES} processes until the ${PROCESSES - 1} others dropped their copy`,
  latency: false,
  targets: [],
  metrics: [
    {
      name: 'all-dropped',
      unit: 'ms',
      description: `from delete() being called to the last of the ${PROCESSES - 1} other processes dropping its L1 copy (one sample a round)`,
    },
    {
      name: 'each-dropped',
      unit: 'ms',
      description: `from delete() being called to one other process dropping its copy (${PROCESSES - 1} samples a round)`,
    },
    {
      name: 'delete-call',
      unit: 'ms',
      description:
        'from delete() being called to its promise resolving, in the deleting process (context: the round trips before the message is sent)',
    },
  ],
  metricTargets: [
    { contender: 'cachekit', metric: 'all-dropped', statistic: 'p50', atMost: 0.6 },
    { contender: 'cachekit', metric: 'all-dropped', statistic: 'p99', atMost: 2 },
  ],
  sizeRun(config) {
    const samples = config.quick ? SAMPLES.quick : SAMPLES.full;
    return {
      ...config,
      warmupOps: config.quick ? 2 : 10,
      roundWarmupOps: config.quick ? 0 : 2,
      ops: Math.ceil(samples / config.rounds),
      latencySamples: 0,
    };
  },
  async setup() {
    const server = await startRedisServer();
    const rounds = new Map<string, InvalidationRounds>();
    const contenders = VARIANTS.map(
      (variant): ContenderSpec => ({
        name: variant.name,
        role: variant.role,
        config: variant.config,
        async start(): Promise<Contender> {
          const workers = await startWorkers(PROCESSES, {
            kind: variant.kind,
            redisUrl: server.url,
            ttlMs: TTL_MS,
            lock: false,
          });
          const driver = new InvalidationRounds(workers, DROP_TIMEOUT_MS);
          rounds.set(variant.name, driver);
          let each: number[] = [];
          let all: number[] = [];
          let calls: number[] = [];
          return {
            name: variant.name,
            role: variant.role,
            async op() {
              const outcome = await driver.run();
              each.push(...outcome.each);
              all.push(Math.max(...outcome.each));
              calls.push(outcome.call);
            },
            takeSamples() {
              const taken = { 'all-dropped': all, 'each-dropped': each, 'delete-call': calls };
              all = [];
              each = [];
              calls = [];
              return taken;
            },
            close: async () => {
              await Promise.all(workers.map((worker) => worker.stop()));
            },
          };
        },
      }),
    );

    async function verify(contender: Contender): Promise<void> {
      const driver = rounds.get(contender.name);
      check(driver !== undefined, `${contender.name} was not started`);
      for (let i = 0; i < PROCESSES; i++) {
        const outcome = await driver.run(true);
        check(
          outcome.each.length === PROCESSES - 1 && outcome.each.every(Number.isFinite),
          `expected ${PROCESSES - 1} drop times, got ${JSON.stringify(outcome.each)}`,
        );
        check(
          outcome.readBack.every((version) => version === 2),
          `after the drop, the other processes read versions ${JSON.stringify(outcome.readBack)}, not the source's new one (2)`,
        );
      }
    }

    return { contenders, verify, teardown: () => server.stop() };
  },
};

export default scenario;
