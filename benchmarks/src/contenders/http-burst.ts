import autocannon from 'autocannon';
import { VerificationError } from '../harness/verify.js';

/** One burst of HTTP load: `amount` GET requests over `connections` keep-alive connections. */
export interface BurstOptions {
  readonly url: string;
  readonly connections: number;
  /** Requests in the burst (at least `connections`): it ends when all are answered. */
  readonly amount: number;
}

/** What one burst measured. */
export interface BurstResult {
  /** 2xx responses (all of them: a burst with anything else throws). */
  readonly requests: number;
  /** Wall time from starting autocannon to its result, in seconds. */
  readonly seconds: number;
  readonly requestsPerSec: number;
  /** autocannon's median and 99th percentile response time in the burst, in ms. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** CPU time this process (the load generator) used during the burst, in µs. */
  readonly cpuMicros: number;
}

/** A request sent longer than this without an answer counts as an error (autocannon's `timeout`). */
const REQUEST_TIMEOUT_S = 10;

/**
 * Runs one autocannon burst (in this process, on its event loop) and checks it: a burst with a
 * connection error, a timeout, a non-2xx response or fewer 2xx responses than requests asked
 * throws a {@link VerificationError}, which fails the contender.
 */
export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    amount: options.amount,
    timeout: REQUEST_TIMEOUT_S,
    // autocannon notices the last response on its next sample tick (default every second, which
    // would round every burst up to a whole second): check every millisecond instead.
    sampleInt: 1,
  });
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
  if (problems.length > 0) {
    throw new VerificationError(`autocannon on ${options.url}: ${problems.join(', ')}`);
  }
  return {
    requests: result['2xx'],
    seconds,
    requestsPerSec: result['2xx'] / seconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuMicros: used.user + used.system,
  };
}
