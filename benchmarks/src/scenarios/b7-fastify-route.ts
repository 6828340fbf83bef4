import { startRedisServer } from '@cachekit/redis-testkit';
import { type BurstResult, runBurst } from '../contenders/http-burst.js';
import {
  checkResponses,
  checkServedBurst,
  type RouteKind,
} from '../contenders/http-route-checks.js';
import { makeMinerStatus } from '../contenders/json-value.js';
import { commandsDuring } from '../contenders/redis-probe.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check } from '../harness/verify.js';
import type { HttpRoute } from '../processes/http-protocol.js';
import { HttpServerProcess } from '../processes/http-server-client.js';

/** Concurrent keep-alive connections of every burst (TARGETS.md B7). */
const CONNECTIONS = 100;
/**
 * Requests in one timed burst (one operation): about a second of the constant route here (the
 * uncached route takes about 10x longer), and in the burst `verify` counts Redis commands around.
 */
const REQUESTS = { full: 50_000, quick: 300 };
const VERIFY_REQUESTS = { full: 5_000, quick: 300 };
/** Sequential requests `verify` checks one by one (status, body, `x-cache`), after a first one. */
const SEQUENTIAL_CHECKS = 20;

type MetricName =
  | 'latency-p50'
  | 'latency-p99'
  | 'server-cpu-per-req'
  | 'server-busy'
  | 'client-busy'
  | 'redis-per-req';

interface Variant {
  readonly route: HttpRoute;
  readonly role: Role;
  readonly kind: RouteKind;
  readonly config: string;
}

const VARIANTS: readonly Variant[] = [
  {
    route: 'constant',
    role: 'reference',
    kind: 'plain',
    config:
      'GET /constant: a plain Fastify route whose async handler returns the same ~1 KB object every time (Fastify serializes it); no cache, no plugin. The ceiling of a route here, and exactly the handler the cached routes wrap.',
  },
  {
    route: 'cached-l1',
    role: 'subject',
    kind: 'l1-hit',
    config:
      "GET /cached-l1: the same handler behind @cachekit/fastify ({ config: { cache: { ttl: 600000 } } }), registered in its own scope on cachekit as in B1 (createCache({ store: ioredisStore({ client }), l1: true, sync: cacheSync(bus) }), namespace 'b7-l1'): every timed request an L1 hit (the 10 s L1 TTL sends an occasional read to Redis).",
  },
  {
    route: 'cached-l2',
    role: 'subject',
    kind: 'l2-hit',
    config:
      "GET /cached-l2: the same handler behind @cachekit/fastify registered in another scope, on createCache({ store: ioredisStore({ client }) }) without L1 (namespace 'b7-l2', its own client): every timed request served from Redis (concurrent requests for the one key share a read: cachekit's single flight).",
  },
  {
    route: 'uncached-20ms',
    role: 'peer',
    kind: 'plain',
    config:
      'GET /uncached-20ms: a plain route whose handler awaits a 20 ms source (setTimeout) on every request, no cache: the route without caching. With 100 connections it cannot pass 100 / 20 ms = 5,000 req/s.',
  },
  {
    route: 'cached-20ms-source',
    role: 'subject',
    kind: 'l1-hit',
    config:
      'GET /cached-20ms-source: the 20 ms source behind @cachekit/fastify, in the scope (and on the L1 cache) of cached-l1: every timed request a hit, the source never called.',
  },
];

/**
 * B7 (TARGETS.md): a Fastify route cached by @cachekit/fastify against the same route returning
 * its constant body uncached, and against a route whose source costs 20 ms. One Fastify app runs
 * in a server process (dist/http-server.js) with every route; autocannon runs in this process.
 * One operation is one burst of the same number of requests over 100 connections (the setup's
 * `unit`: the report gives requests/s, and ops/s ratios are request/s ratios); each burst also
 * records its latency and the Redis commands per request. A burst fails its contender on any error or non-2xx response, or when
 * the server's counters show a cached route calling its source or an L1 route missing L1.
 */
const scenario: Scenario = {
  id: 'B7',
  name: 'fastify-route',
  title: `Fastify route under autocannon (${CONNECTIONS} connections, server in its own process): one op is one burst of ${REQUESTS.full.toLocaleString('en-US')} requests (quick: ${REQUESTS.quick}), 1 KB JSON body`,
  latency: false,
  targets: [
    { contender: 'cached-l1', against: 'reference', atLeast: 0.9 },
    { contender: 'cached-l2', against: 'reference', atLeast: 0.8 },
    { contender: 'cached-20ms-source', against: 'best-peer', atLeast: 10 },
  ],
  metrics: [
    { name: 'latency-p50', unit: 'ms', description: "autocannon's median response time" },
    { name: 'latency-p99', unit: 'ms', description: "autocannon's 99th percentile response time" },
    {
      name: 'server-cpu-per-req',
      unit: 'µs',
      description:
        "the server process's CPU time (user + system) during the burst, per request: what a request costs the server, whoever limits the rate",
    },
    {
      name: 'server-busy',
      unit: 'cores',
      description: "the server process's CPU time over the burst's wall time (1: one core busy)",
    },
    {
      name: 'client-busy',
      unit: 'cores',
      description:
        "the benchmark process's (autocannon's) CPU time over the burst's wall time: near 1 while the server is not, the load generator is the limit",
    },
    {
      name: 'redis-per-req',
      unit: 'cmd',
      description: 'Redis commands processed during the burst, per request (INFO stats)',
    },
  ],
  sizeRun(config) {
    // One burst is one operation: warm each route up with one, then time one a round.
    return { ...config, warmupOps: 1, roundWarmupOps: 0, ops: 1, latencySamples: 0 };
  },
  async setup(options) {
    const requests = options.quick ? REQUESTS.quick : REQUESTS.full;
    const verifyRequests = options.quick ? VERIFY_REQUESTS.quick : VERIFY_REQUESTS.full;
    const body = JSON.stringify(makeMinerStatus());
    const redis = await startRedisServer();
    let server: HttpServerProcess;
    try {
      server = await HttpServerProcess.start(redis.url);
    } catch (error) {
      await redis.stop();
      throw error;
    }

    /** One burst on the variant's route, checked on the client and on the server side. */
    async function servedBurst(variant: Variant, amount: number, l1Slack: number) {
      const before = await server.counts();
      let burst: BurstResult | undefined;
      const url = server.url(variant.route);
      const commands = await commandsDuring(redis, async () => {
        burst = await runBurst({ url, connections: CONNECTIONS, amount });
      });
      const after = await server.counts();
      check(burst !== undefined, `no burst result for ${url}`);
      checkServedBurst({
        route: variant.route,
        kind: variant.kind,
        requests: amount,
        before,
        after,
        commands,
        l1Slack,
      });
      const serverCpu = after.cpuMicros - before.cpuMicros;
      const wallMicros = burst.seconds * 1e6;
      const samples: Record<MetricName, number> = {
        'latency-p50': burst.latencyP50Ms,
        'latency-p99': burst.latencyP99Ms,
        'server-cpu-per-req': serverCpu / amount,
        'server-busy': serverCpu / wallMicros,
        'client-busy': burst.cpuMicros / wallMicros,
        'redis-per-req': commands / amount,
      };
      return { commands, samples };
    }

    const contenders = VARIANTS.map(
      (variant): ContenderSpec => ({
        name: variant.route,
        role: variant.role,
        config: variant.config,
        async start(): Promise<Contender> {
          let recorded = new Map<MetricName, number[]>();
          return {
            name: variant.route,
            role: variant.role,
            async op() {
              const { samples } = await servedBurst(variant, requests, CONNECTIONS);
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
            // The server is shared by every route: teardown stops it.
            close: async () => {},
          };
        },
      }),
    );

    async function verify(contender: Contender): Promise<void> {
      const variant = VARIANTS.find((v) => v.route === contender.name);
      check(variant !== undefined, `unknown contender ${contender.name}`);
      await checkResponses({
        server,
        redis,
        route: variant.route,
        kind: variant.kind,
        body,
        count: SEQUENTIAL_CHECKS,
      });
      // Under load: every request answered 2xx, and served as the route says (no L1 miss allowed).
      const { commands } = await servedBurst(variant, verifyRequests, 0);
      if (variant.kind === 'l1-hit') {
        check(
          commands < verifyRequests / 10,
          `${verifyRequests} requests sent ${commands} commands to Redis: not served from L1`,
        );
      }
    }

    return {
      contenders,
      // Every burst has the same size: the report gives requests/s, and ops/s ratios are theirs.
      unit: { name: 'req', perOp: requests },
      verify,
      async teardown() {
        try {
          await server.stop();
        } finally {
          await redis.stop();
        }
      },
    };
  },
};

export default scenario;
