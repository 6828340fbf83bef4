import { startRedisServer } from '@cachekit/redis-testkit';
import { connectCachekit } from '../contenders/cachekit.js';
import type { Contender, ContenderSpec, Scenario, ScenarioOptions } from '../harness/types.js';
import { check } from '../harness/verify.js';
import type { StampedeReply } from '../processes/protocol.js';
import { runStampede } from '../processes/stampede.js';
import { startWorkers } from '../processes/worker-client.js';

/** Each loader call takes this long (TARGETS.md B4: every caller answered within it + 50 ms). */
const LOADER_MS = 50;
const TTL_MS = 120_000;
const PROCESSES = 4;
const IN_PROCESS = { name: 'cachekit-1-process', role: 'subject' } as const;
const DISTRIBUTED = { name: 'cachekit-4-processes-lock', role: 'subject' } as const;
/** Concurrent cold reads per stampede, over all processes. */
const CALLERS = { full: 10_000, quick: 1_000 };

/** One stampede's figures, over every process it ran in. */
interface Stampede {
  readonly loaderCalls: number;
  /** Ms from the (first) loader call returning to the last caller being answered. */
  readonly lag: number;
  readonly answered: number;
  readonly wrong: number;
}

function combine(replies: readonly StampedeReply[]): Stampede {
  const ends = replies.flatMap((r) => (r.loaderEnd === null ? [] : [r.loaderEnd]));
  if (ends.length === 0) throw new Error('no process ran the loader of a cold key');
  return {
    loaderCalls: replies.reduce((sum, r) => sum + r.loaderCalls, 0),
    lag: Math.max(...replies.map((r) => r.lastAnswer)) - Math.min(...ends),
    answered: replies.reduce((sum, r) => sum + r.answered, 0),
    wrong: replies.reduce((sum, r) => sum + r.wrong, 0),
  };
}

/** A contender whose op is one stampede on a fresh cold key, and what it recorded. */
interface StampedeContender extends Contender {
  /** One stampede, also recorded as samples. */
  stampede(): Promise<Stampede>;
}

function stampedeContender(
  spec: Pick<ContenderSpec, 'name' | 'role'>,
  run: (key: string) => Promise<Stampede>,
  close: () => Promise<void>,
): StampedeContender {
  let round = 0;
  let loaderCalls: number[] = [];
  let lags: number[] = [];
  const stampede = async (): Promise<Stampede> => {
    const result = await run(`${spec.name}-${round++}`);
    loaderCalls.push(result.loaderCalls);
    lags.push(result.lag);
    if (result.wrong > 0) throw new Error(`${result.wrong} callers got a wrong value`);
    return result;
  };
  return {
    name: spec.name,
    role: spec.role,
    stampede,
    op: stampede,
    takeSamples() {
      const taken = { 'loader-calls': loaderCalls, lag: lags };
      loaderCalls = [];
      lags = [];
      return taken;
    },
    close,
  };
}

function callers(options: ScenarioOptions): number {
  return options.quick ? CALLERS.quick : CALLERS.full;
}

/**
 * B4 (TARGETS.md): a stampede. One operation is `count` concurrent `getOrSet` calls on one cold
 * key whose loader takes 50 ms: in this process (cachekit's in-process single flight), and spread
 * over 4 worker processes with `lock: true` (the distributed lease lock). Each reports its loader
 * calls and how long after the load the last caller was answered. verify() checks that every
 * caller got the loaded value (and, in one process, that the loader ran once).
 */
const scenario: Scenario = {
  id: 'B4',
  name: 'stampede',
  title: `stampede: ${CALLERS.full.toLocaleString('en')} concurrent getOrSet of one cold key, ${LOADER_MS} ms loader, in 1 process and over ${PROCESSES} with the lock`,
  latency: false,
  targets: [],
  metrics: [
    {
      name: 'loader-calls',
      unit: 'calls',
      description: 'loader calls in one stampede (all processes)',
    },
    {
      name: 'lag',
      unit: 'ms',
      description:
        'from the loader call returning to the last caller being answered (one a stampede)',
    },
  ],
  metricTargets: [IN_PROCESS.name, DISTRIBUTED.name].flatMap((contender) => [
    { contender, metric: 'loader-calls', statistic: 'max', atMost: 1 },
    { contender, metric: 'lag', statistic: 'max', atMost: 50 },
  ]),
  sizeRun(config) {
    return {
      ...config,
      warmupOps: config.quick ? 0 : 1,
      roundWarmupOps: 0,
      ops: config.quick ? 1 : 3,
      latencySamples: 0,
    };
  },
  async setup(options) {
    const server = await startRedisServer();
    const count = callers(options);
    const inProcess: ContenderSpec = {
      ...IN_PROCESS,
      config: `${count.toLocaleString('en')} concurrent getOrSet in this process on cachekit configured as in B1 (ioredis store, l1: true, sync: cacheSync(bus), ready() awaited), no lock: its in-process single flight.`,
      async start() {
        const instance = await connectCachekit({ redisUrl: server.url, ttlMs: TTL_MS });
        const read = (key: string, loader: () => Promise<unknown>): Promise<unknown> =>
          instance.cache.getOrSet(key, loader);
        return stampedeContender(
          IN_PROCESS,
          async (key) => combine([await runStampede(read, { key, count, loaderMs: LOADER_MS })]),
          () => instance.close(),
        );
      },
    };
    const perProcess = Math.ceil(count / PROCESSES);
    const distributed: ContenderSpec = {
      ...DISTRIBUTED,
      config: `${PROCESSES} worker processes x ${perProcess.toLocaleString('en')} concurrent getOrSet, started together; each cachekit as in B1 plus lock: true (the Redis lease lock; waiters poll Redis for the holder's value).`,
      async start() {
        const workers = await startWorkers(PROCESSES, {
          kind: 'cachekit',
          redisUrl: server.url,
          ttlMs: TTL_MS,
          lock: true,
        });
        return stampedeContender(
          DISTRIBUTED,
          async (key) =>
            combine(
              await Promise.all(
                workers.map((w) =>
                  w.call('stampede', { key, count: perProcess, loaderMs: LOADER_MS }),
                ),
              ),
            ),
          async () => {
            await Promise.all(workers.map((w) => w.stop()));
          },
        );
      },
    };

    async function verify(contender: Contender): Promise<void> {
      const { stampede } = contender as StampedeContender;
      check(typeof stampede === 'function', `${contender.name} is not a stampede contender`);
      const expected = contender.name === DISTRIBUTED.name ? perProcess * PROCESSES : count;
      const result = await stampede();
      check(result.answered === expected, `${result.answered} callers answered, not ${expected}`);
      check(result.wrong === 0, `${result.wrong} callers got a value other than the loaded one`);
      check(Number.isFinite(result.lag), `the lag is ${result.lag}`);
      if (contender.name === IN_PROCESS.name) {
        check(
          result.loaderCalls === 1,
          `the loader ran ${result.loaderCalls} times in one process, not once`,
        );
      }
    }

    return { contenders: [inProcess, distributed], verify, teardown: () => server.stop() };
  },
};

export default scenario;
