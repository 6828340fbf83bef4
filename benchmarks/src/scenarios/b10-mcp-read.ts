import { startRedisServer } from '@cachekit/redis-testkit';
import { makeMinerStatus } from '../contenders/json-value.js';
import { measureFanout } from '../contenders/mcp-fanout.js';
import { type McpReader, type McpReaderKind, startMcpReader } from '../contenders/mcp-reader.js';
import { percentileOfSorted } from '../harness/stats.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../harness/types.js';
import { check, preview } from '../harness/verify.js';

/** Latency of the source behind every contender (TARGETS.md B10). */
const SOURCE_MS = 20;
/** TTL of the cached entry: far longer than a run. */
const TTL_MS = 600_000;
/** Reads `verify` checks after the first (a cached contender's must all be hits; also its JIT warm-up). */
const CHECKED_READS = { cached: { full: 2_000, quick: 100 }, uncached: 3 };
/** Timed fan-out notifications (after 20 untimed). */
const FANOUT_SAMPLES = { full: 500, quick: 20 };

interface Variant {
  readonly name: string;
  readonly role: Role;
  readonly kind: McpReaderKind;
  readonly config: string;
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'uncached-20ms',
    role: 'reference',
    kind: 'uncached',
    config:
      "An McpServer with the template braiins:///miner/{minerId}/status registered by the SDK's own registerResource, whose read awaits a 20 ms source (setTimeout) and returns the ~1 KB JSON; a real Client over InMemoryTransport, readResource awaited one after the other. No cache: what the SDK does by itself.",
  },
  {
    name: 'cached',
    role: 'subject',
    kind: 'cached-redis',
    config:
      "The same server and source, the template registered through @cachekit/mcp: hub = createMcpHub({ cache }), hub.attach(server).resource(..., { policy: MODERATE with a 10 min TTL, variables: { minerId } }), cache = createCache({ store: ioredisStore({ client }) }) without L1: the fleet demo's configuration on Redis, so every hit is one Redis round trip (GET of the entry + tag generation check). The conservative choice: an L1 or a memory store is faster (cached-memory).",
  },
  {
    name: 'cached-memory',
    role: 'subject',
    kind: 'cached-memory',
    config:
      "For context, no target: the same hub on createCache() with its in-process memory store (a single instance: nothing shared): the cost of the MCP round trip, the SDK's request handling and the hub's key building, without Redis.",
  },
];

/**
 * B10 (TARGETS.md): an MCP resource read through a real SDK `Client` over the in-memory
 * transport, sequential awaited `resources/read` calls of one URI: cached by @cachekit/mcp vs the
 * SDK's own (uncached) resource with a 20 ms source. Target: cached >= 10x. verify() proves the
 * value read is the source's, byte for byte, and that after the first read a cached contender
 * calls its source no more (every checked read a hit), while the uncached one calls it every time.
 * Setup also measures notification fan-out across two instances (two hubs on one Redis, ioredis
 * buses), reported under findings (p50/p99/max).
 */
const scenario: Scenario = {
  id: 'B10',
  name: 'mcp-read',
  title:
    'MCP resources/read through a real Client over InMemoryTransport: @cachekit/mcp cached vs uncached with a 20 ms source, sequential awaited calls',
  latency: true,
  targets: [{ contender: 'cached', against: 'reference', atLeast: 10 }],
  sizeRun(config) {
    // The reference takes 20 ms an operation: op counts sized for it (time-boxed runs stay 1 s).
    const quick = config.quick;
    return {
      ...config,
      warmupOps: Math.min(config.warmupOps, quick ? 2 : 20),
      roundWarmupOps: Math.min(config.roundWarmupOps, quick ? 1 : 5),
      ops: quick ? Math.min(config.ops ?? 5, 5) : config.ops,
      latencySamples: Math.min(config.latencySamples, quick ? 5 : 50),
    };
  },
  async setup(options) {
    const server = await startRedisServer();
    const text = JSON.stringify(makeMinerStatus());
    const loads = new Map<string, number>();
    const findings: string[] = [];
    const readers = new Map<string, McpReader>();
    try {
      findings.push(await fanoutFinding(server.url, options.quick));
    } catch (error) {
      findings.push(`notification fan-out across two hubs: FAILED: ${(error as Error).message}`);
    }

    const contenders = VARIANTS.map(
      (variant): ContenderSpec => ({
        name: variant.name,
        role: variant.role,
        config: variant.config,
        async start(): Promise<Contender> {
          loads.set(variant.name, 0);
          const reader = await startMcpReader({
            kind: variant.kind,
            redisUrl: server.url,
            namespace: `b10-${variant.name}`,
            ttlMs: TTL_MS,
            load: async (minerId) => {
              loads.set(variant.name, (loads.get(variant.name) ?? 0) + 1);
              await new Promise((resolve) => setTimeout(resolve, SOURCE_MS));
              check(minerId === 'miner-0042', `the source was asked for miner ${minerId}`);
              return text;
            },
          });
          readers.set(variant.name, reader);
          return { name: variant.name, role: variant.role, op: reader.read, close: reader.close };
        },
      }),
    );

    async function verify(contender: Contender): Promise<void> {
      const reader = readers.get(contender.name);
      const variant = VARIANTS.find((v) => v.name === contender.name);
      check(reader !== undefined && variant !== undefined, `${contender.name} was not started`);
      const loaded = (): number => loads.get(contender.name) ?? 0;
      const first = await reader.read();
      check(first === text, `the first read returned ${preview(first)}, not the source's value`);
      check(loaded() === 1, `the first read made ${loaded()} source calls, not 1`);
      const cached = variant.kind !== 'uncached';
      const reads = cached
        ? options.quick
          ? CHECKED_READS.cached.quick
          : CHECKED_READS.cached.full
        : CHECKED_READS.uncached;
      for (let i = 0; i < reads; i++) {
        const value = await reader.read();
        check(value === text, `read ${i + 2} returned ${preview(value)}`);
      }
      const expected = cached ? 1 : reads + 1;
      check(
        loaded() === expected,
        `${reads + 1} reads made ${loaded()} source calls; expected ${expected} (${cached ? 'after the first, every read a hit' : 'every read calls the source'})`,
      );
    }

    return {
      contenders,
      verify,
      findings: () => findings,
      teardown: () => server.stop(),
    };
  },
};

/** Measures fan-out latency across two hubs and words it as a finding. */
async function fanoutFinding(redisUrl: string, quick: boolean): Promise<string> {
  const count = quick ? FANOUT_SAMPLES.quick : FANOUT_SAMPLES.full;
  const samples = await measureFanout({ redisUrl, samples: count, channel: 'b10-fanout' });
  const sorted = [...samples].sort((x, y) => x - y);
  const ms = (value: number): string => `${value.toFixed(3)} ms`;
  return (
    `notification fan-out across two instances (hubA.resourceUpdated(uri) -> resources/updated received by a client of hubB, two ioredis buses on one Redis, ${samples.length} sequential changes): ` +
    `p50 ${ms(percentileOfSorted(sorted, 50))}, p99 ${ms(percentileOfSorted(sorted, 99))}, max ${ms(sorted.at(-1) ?? Number.NaN)}; exactly one notification per change`
  );
}

export default scenario;
