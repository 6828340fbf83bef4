import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { type MixedBurstResult, runMixedBurst } from '../contenders/mixed-burst.js';
import { checkMixedServer } from '../contenders/mixed-checks.js';
import {
  type FleetTruth,
  fleetTruth,
  MINERS,
  MIX,
  type RequestPlan,
  requestPlan,
  WriteTracker,
  ZIPF_EXPONENT,
} from '../contenders/mixed-workload.js';
import { commandsDuring } from '../contenders/redis-probe.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';
import type { MixedMode } from '../processes/mixed-protocol.js';
import { MixedServerProcess } from '../processes/mixed-server-client.js';

/** Concurrent keep-alive connections of every burst (as B7). */
const CONNECTIONS = { full: 100, quick: 20 };
/** Requests in one burst (one operation): ~2-3 s of the uncached server here. */
const REQUESTS = { full: 20_000, quick: 300 };
const VERIFY_REQUESTS = { full: 5_000, quick: 300 };
/** Every source call waits uniformly 5-25 ms (the demo's default: 25 ms ± 20 %). */
const LATENCY_MS = { min: 5, max: 25 };
/** Miners whose write-then-read `verify` checks one by one: the hottest of the plan, and a cold one. */
const CHECKED_MINERS = 4;

type MetricName =
  | 'latency-p50'
  | 'latency-p99'
  | 'hit-ratio'
  | 'source-per-req'
  | 'stale-reads'
  | 'redis-per-req'
  | 'server-cpu-per-req'
  | 'client-busy';

interface Variant {
  readonly mode: MixedMode;
  readonly role: Role;
  readonly config: string;
}

const VARIANTS: readonly Variant[] = [
  {
    mode: 'uncached',
    role: 'reference',
    config:
      'The same Fastify app and source without any cache: no plugin, no route cache config; a PUT writes the source only. What the demo would be without cachekit; with 100 connections and a 15 ms mean source it cannot pass ~6,700 req/s.',
  },
  {
    mode: 'cachekit',
    role: 'subject',
    config:
      "The fleet demo's configuration on Redis: createCache({ namespace: 'fleet', store: ioredisStore({ client }), sync: cacheSync(bus), l1: false, timeout: '250ms' }) (ioredis with enableAutoPipelining, as the demo's backend.ts), @cachekit/fastify on the routes with the demo's policies (status EPHEMERAL 10 s, config EVENT_DRIVEN on miner.config.updated with a 5 min fallback, summary 30 s tagged fleet, each miner's entries tagged miner:<id>), and its write-through PUT (source write, handleEvent('miner.config.updated'), invalidateTags(['fleet']), then the GET re-cached through inject). L1 off, the demo's default: every hit is a Redis read, as for N instances sharing one cache.",
  },
  {
    mode: 'cachekit-l1',
    role: 'subject',
    config:
      'The same with l1: true (FLEET_L1=1 in the demo): hits served from the in-process L1, dropped through the bus on invalidation.',
  },
];

/** The miners `verify` writes and reads back: the plan's hottest, then one it rarely asks for. */
function checkedMiners(plan: RequestPlan): number[] {
  const counts = new Uint32Array(MINERS);
  for (const miner of plan.miners) counts[miner] = (counts[miner] as number) + 1;
  const byHeat = Array.from({ length: MINERS }, (_, i) => i).sort(
    (a, b) => (counts[b] as number) - (counts[a] as number) || a - b,
  );
  return [...byHeat.slice(0, CHECKED_MINERS - 1), byHeat[MINERS - 1] as number];
}

const percent = (share: number): string => `${Math.round(share * 100)} %`;

/**
 * The mixed realistic run of issue 6 on the fleet demo's routes: Zipf (s = 1.1) over 1,000
 * miners, 95 % reads (status, config, summary) and 5 % config writes through the demo's
 * write-through, against a 5-25 ms source; each contender's server in its own process on the
 * scenario's Redis, autocannon here. One op is one burst; every response is checked, and a config
 * read sent after a write was acknowledged must show it (`stale-reads`).
 */
const scenario: Scenario = {
  id: 'MIX',
  name: 'fleet-mixed',
  title: `Fleet demo mixed run: one op is a burst of ${REQUESTS.full.toLocaleString('en-US')} requests (quick: ${REQUESTS.quick}) over ${CONNECTIONS.full} connections, miners Zipf s=${ZIPF_EXPONENT} over ${MINERS.toLocaleString('en-US')}, GET status/config/summary ${percent(MIX.status)}/${percent(MIX.config)}/${percent(MIX.summary)}, PUT config ${percent(MIX.put)}, source ${LATENCY_MS.min}-${LATENCY_MS.max} ms`,
  latency: false,
  targets: [],
  metrics: [
    { name: 'latency-p50', unit: 'ms', description: "autocannon's median response time" },
    { name: 'latency-p99', unit: 'ms', description: "autocannon's 99th percentile response time" },
    {
      name: 'hit-ratio',
      unit: 'ratio',
      description: 'GET responses with x-cache HIT or STALE over all GET responses (0 uncached)',
    },
    {
      name: 'source-per-req',
      unit: 'calls',
      description:
        'source calls in the server (reads, writes, re-warming) per request of the burst',
    },
    {
      name: 'stale-reads',
      unit: 'reads',
      description:
        'config reads sent after a write of that miner was acknowledged that returned an older config, per burst',
    },
    {
      name: 'redis-per-req',
      unit: 'cmd',
      description: 'Redis commands processed during the burst, per request (INFO stats)',
    },
    {
      name: 'server-cpu-per-req',
      unit: 'µs',
      description: "the server process's CPU time (user + system) during the burst, per request",
    },
    {
      name: 'client-busy',
      unit: 'cores',
      description:
        "the benchmark process's (autocannon's and the checks') CPU time over the burst's wall time",
    },
  ],
  metricTargets: [
    { contender: 'cachekit', metric: 'stale-reads', statistic: 'max', atMost: 0 },
    { contender: 'cachekit-l1', metric: 'stale-reads', statistic: 'max', atMost: 0 },
  ],
  sizeRun(config) {
    // One burst is one operation: warm each server up with one, then time one a round.
    return { ...config, warmupOps: 1, roundWarmupOps: 0, ops: 1, latencySamples: 0 };
  },
  async setup(options) {
    const size = options.quick ? 'quick' : 'full';
    const requests = REQUESTS[size];
    const connections = CONNECTIONS[size];
    const verifyRequests = VERIFY_REQUESTS[size];
    const plan = requestPlan(Math.max(requests, verifyRequests) + connections);
    const truth: FleetTruth = await fleetTruth();
    const redis: RedisServerHandle = await startRedisServer();
    const servers = new Map<MixedMode, MixedServerProcess>();
    const trackers = new Map<MixedMode, WriteTracker>();

    async function servedBurst(mode: MixedMode, amount: number) {
      const server = servers.get(mode);
      const tracker = trackers.get(mode);
      check(server !== undefined && tracker !== undefined, `${mode}: no server`);
      const before = await server.counts();
      let burst: MixedBurstResult | undefined;
      const commands = await commandsDuring(redis, async () => {
        burst = await runMixedBurst({
          baseUrl: server.baseUrl,
          connections,
          amount,
          plan,
          truth,
          tracker,
        });
      });
      const after = await server.counts();
      check(burst !== undefined, `${mode}: no burst result`);
      const calls = after.sourceCalls;
      const sourceCalls =
        calls.status +
        calls.config +
        calls.summary +
        calls.writeConfig -
        (before.sourceCalls.status +
          before.sourceCalls.config +
          before.sourceCalls.summary +
          before.sourceCalls.writeConfig);
      const hits = burst.xCache.hit + burst.xCache.stale;
      const samples: Record<MetricName, number> = {
        'latency-p50': burst.latencyP50Ms,
        'latency-p99': burst.latencyP99Ms,
        'hit-ratio': burst.gets === 0 ? 0 : hits / burst.gets,
        'source-per-req': sourceCalls / amount,
        'stale-reads': burst.staleReads,
        'redis-per-req': commands / amount,
        'server-cpu-per-req': (after.cpuMicros - before.cpuMicros) / amount,
        'client-busy': burst.cpuMicros / (burst.seconds * 1e6),
      };
      return { burst, samples, commands, l1Hits: after.l1Hits - before.l1Hits };
    }

    const contenders = VARIANTS.map(
      (variant): ContenderSpec => ({
        name: variant.mode,
        role: variant.role,
        config: variant.config,
        async start(): Promise<Contender> {
          const server = await MixedServerProcess.start({
            redisUrl: redis.url,
            mode: variant.mode,
            miners: MINERS,
            latencyMinMs: LATENCY_MS.min,
            latencyMaxMs: LATENCY_MS.max,
          });
          servers.set(variant.mode, server);
          trackers.set(variant.mode, new WriteTracker());
          let recorded = new Map<MetricName, number[]>();
          return {
            name: variant.mode,
            role: variant.role,
            async op() {
              const { samples } = await servedBurst(variant.mode, requests);
              for (const [name, value] of Object.entries(samples) as [MetricName, number][]) {
                const values = recorded.get(name);
                if (values === undefined) recorded.set(name, [value]);
                else values.push(value);
              }
            },
            takeSamples() {
              const taken = Object.fromEntries(recorded);
              recorded = new Map();
              return taken;
            },
            async close() {
              servers.delete(variant.mode);
              await server.stop();
            },
          };
        },
      }),
    );

    async function verify(contender: Contender): Promise<void> {
      const mode = contender.name as MixedMode;
      const server = servers.get(mode);
      const tracker = trackers.get(mode);
      check(server !== undefined && tracker !== undefined, `unknown contender ${contender.name}`);
      const cached = mode !== 'uncached';
      await checkMixedServer({ server, redis, truth, tracker, cached }, checkedMiners(plan));
      // Under load: every response checked (in the burst), and the path the contender claims.
      const { burst, commands, l1Hits } = await servedBurst(mode, verifyRequests);
      check(burst.puts > 0, `${verifyRequests} requests sent no write`);
      if (!cached) {
        check(burst.xCache.hit + burst.xCache.miss === 0, 'uncached responses carry x-cache');
        return;
      }
      check(burst.xCache.hit > 0, `${verifyRequests} requests to ${mode} made no cache hit`);
      check(commands > 0, `${verifyRequests} requests to ${mode} sent no command to Redis`);
      if (mode === 'cachekit-l1') check(l1Hits > 0, `${mode} counted no L1 hit under load`);
      else check(l1Hits === 0, `${mode} counted ${l1Hits} L1 hits: it has an L1`);
    }

    return {
      contenders,
      unit: { name: 'req', perOp: requests },
      verify,
      async teardown() {
        try {
          for (const server of servers.values()) await server.stop();
        } finally {
          await redis.stop();
        }
      },
    };
  },
};

export default scenario;
