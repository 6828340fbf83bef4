import autocannon from 'autocannon';
import { VerificationError } from '../harness/verify.js';
import {
  type FleetTruth,
  RequestKind,
  type RequestPlan,
  readConfigVersion,
  type WriteTracker,
} from './mixed-workload.js';

/** One burst of the mixed workload on one server. */
export interface MixedBurstOptions {
  readonly baseUrl: string;
  readonly connections: number;
  /** Requests in the burst: the first `amount` of `plan` (it ends when all are answered). */
  readonly amount: number;
  readonly plan: RequestPlan;
  readonly truth: FleetTruth;
  /** The contender's writes so far (its server's state). */
  readonly tracker: WriteTracker;
}

/** What one burst measured, on the client side. */
export interface MixedBurstResult {
  readonly requests: number;
  readonly seconds: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** CPU time this process (autocannon and the checks) used during the burst, in µs. */
  readonly cpuMicros: number;
  /** `x-cache` of the GET responses: HIT, STALE, MISS, and none (no cache on the route). */
  readonly xCache: { readonly hit: number; readonly stale: number; readonly miss: number };
  readonly gets: number;
  readonly puts: number;
  /** Writes sent as config reads because a write of that miner was in flight. */
  readonly deferredPuts: number;
  /** Config reads sent after a write was acknowledged that showed an older config. */
  readonly staleReads: number;
}

/** A request sent longer than this without an answer counts as an error (autocannon's `timeout`). */
const REQUEST_TIMEOUT_S = 10;
const JSON_HEADERS = { 'content-type': 'application/json' };

interface RequestContext {
  kind: number;
  miner: number;
  /** Config read: the newest acknowledged version when sent. Write: the version sent. */
  version: number;
  body: string;
}

/**
 * Runs one autocannon burst of the plan's requests and checks every response: a status is
 * exactly the miner's, a summary starts with the fleet's figures, a config read is one of the
 * miner's written configs and not older than the newest write acknowledged before it was sent
 * (older counts in `staleReads`), a write answers exactly the config sent. Any error, timeout,
 * non-2xx or wrong body throws a {@link VerificationError}.
 */
export async function runMixedBurst(options: MixedBurstOptions): Promise<MixedBurstResult> {
  const { plan, truth, tracker } = options;
  const length = plan.kinds.length;
  let cursor = 0;
  let gets = 0;
  let puts = 0;
  let deferredPuts = 0;
  let staleReads = 0;
  const xCache = { hit: 0, stale: 0, miss: 0 };
  const wrong: string[] = [];

  const setupRequest = (request: autocannon.Request, context: object): autocannon.Request => {
    const ctx = context as RequestContext;
    const i = cursor++ % length;
    let kind = plan.kinds[i] as number;
    const miner = plan.miners[i] as number;
    if (kind === RequestKind.Put && tracker.inFlight[miner] === 1) {
      kind = RequestKind.Config;
      deferredPuts++;
    }
    ctx.kind = kind;
    ctx.miner = miner;
    if (kind === RequestKind.Put) {
      const { config, version } = tracker.nextWrite(miner);
      ctx.version = version;
      ctx.body = JSON.stringify(config);
      request.method = 'PUT';
      request.path = truth.configPaths[miner] as string;
      request.headers = JSON_HEADERS;
      request.body = ctx.body;
      return request;
    }
    request.method = 'GET';
    request.path =
      kind === RequestKind.Status
        ? (truth.statusPaths[miner] as string)
        : kind === RequestKind.Config
          ? (truth.configPaths[miner] as string)
          : '/fleet/summary';
    ctx.version = kind === RequestKind.Config ? (tracker.acked[miner] as number) : 0;
    return request;
  };

  const onResponse = (
    status: number,
    body: string,
    context: object,
    headers?: Record<string, unknown>,
  ): void => {
    const ctx = context as RequestContext;
    const { kind, miner } = ctx;
    if (status !== 200) return; // autocannon counts it as non-2xx
    if (kind === RequestKind.Put) {
      puts++;
      if (body === ctx.body) tracker.acknowledge(miner, ctx.version);
      else wrong.push(`PUT ${truth.ids[miner]} answered ${body.slice(0, 80)}`);
      return;
    }
    gets++;
    const cached = headers?.['x-cache'];
    if (cached === 'HIT') xCache.hit++;
    else if (cached === 'STALE') xCache.stale++;
    else if (cached === 'MISS') xCache.miss++;
    if (kind === RequestKind.Status) {
      if (body !== truth.statusBodies[miner]) {
        wrong.push(`status of ${truth.ids[miner]}: ${body.slice(0, 80)}`);
      }
    } else if (kind === RequestKind.Summary) {
      if (!body.startsWith(truth.summaryPrefix)) wrong.push(`summary: ${body.slice(0, 80)}`);
    } else {
      const version = readConfigVersion(body, miner, tracker);
      if (typeof version === 'string') wrong.push(`config of ${truth.ids[miner]}: ${version}`);
      else if (version < ctx.version) staleReads++;
    }
  };

  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let result: autocannon.Result;
  try {
    result = await autocannon({
      url: options.baseUrl,
      connections: options.connections,
      amount: options.amount,
      timeout: REQUEST_TIMEOUT_S,
      // Check for the end of the burst every millisecond, not every second (as B7).
      sampleInt: 1,
      requests: [{ setupRequest, onResponse } as autocannon.Request],
    });
  } finally {
    tracker.settle();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const problems: string[] = [];
  if (result.errors > 0) {
    problems.push(`${result.errors} errors (${result.timeouts} of them timeouts)`);
  }
  if (result.non2xx > 0) {
    problems.push(
      `${result.non2xx} non-2xx responses (by status: ${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  if (result['2xx'] !== options.amount) {
    problems.push(`${result['2xx']} 2xx responses to ${options.amount} requests`);
  }
  if (wrong.length > 0) {
    problems.push(`${wrong.length} wrong bodies, first: ${wrong.slice(0, 3).join('; ')}`);
  }
  if (problems.length > 0) {
    throw new VerificationError(`mixed burst on ${options.baseUrl}: ${problems.join(', ')}`);
  }
  return {
    requests: result['2xx'],
    seconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuMicros: used.user + used.system,
    xCache,
    gets,
    puts,
    deferredPuts,
    staleReads,
  };
}
