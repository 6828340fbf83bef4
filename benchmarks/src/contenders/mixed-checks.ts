import type { RedisAddress } from '@cachekit/redis-testkit';
import { check } from '../harness/verify.js';
import type { MixedServerProcess } from '../processes/mixed-server-client.js';
import { versionedConfig } from '../processes/mixed-source.js';
import type { FleetTruth, WriteTracker } from './mixed-workload.js';
import { commandsDuring } from './redis-probe.js';

/** What `verify` needs of one contender. */
export interface MixedCheckTarget {
  readonly server: MixedServerProcess;
  readonly redis: RedisAddress;
  readonly truth: FleetTruth;
  readonly tracker: WriteTracker;
  /** The routes are cached (`x-cache` expected) or not. */
  readonly cached: boolean;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly xCache: string | null;
  readonly contentType: string | null;
}

async function request(baseUrl: string, path: string, put?: string): Promise<Answer> {
  const response = await fetch(
    `${baseUrl}${path}`,
    put === undefined
      ? {}
      : { method: 'PUT', body: put, headers: { 'content-type': 'application/json' } },
  );
  return {
    status: response.status,
    body: await response.text(),
    xCache: response.headers.get('x-cache'),
    contentType: response.headers.get('content-type'),
  };
}

function expectOk(answer: Answer, what: string): void {
  check(answer.status === 200, `${what} answered ${answer.status}: ${answer.body.slice(0, 80)}`);
  check(
    answer.contentType?.startsWith('application/json') === true,
    `${what} answered content-type ${answer.contentType}`,
  );
}

/** The fleet's total power target once every acknowledged write is applied. */
function totalPowerTarget(tracker: WriteTracker): number {
  let total = 0;
  for (let i = 0; i < tracker.acked.length; i++) {
    total += versionedConfig(i, tracker.acked[i] as number).powerTargetW;
  }
  return total;
}

/**
 * Sequential checks of one server: a status is exactly the miner's and, cached, the second read
 * is a hit that does not call the source (and, without L1, reads Redis); an unknown miner is a
 * 404 every time; a bad write is a 400; then, on `miners` miners (hottest first), a config read,
 * a write, and the next read must return exactly the new config (never the cached old one) and
 * the summary the new total power target (the `fleet` tag dropped it).
 */
export async function checkMixedServer(
  target: MixedCheckTarget,
  miners: readonly number[],
): Promise<void> {
  const { server, truth, tracker, cached } = target;
  const base = server.baseUrl;
  const first = miners[0] ?? 0;
  const statusPath = truth.statusPaths[first] as string;
  const before = await server.counts();
  const one = await request(base, statusPath);
  expectOk(one, `GET ${statusPath}`);
  check(one.body === truth.statusBodies[first], `GET ${statusPath}: ${one.body.slice(0, 80)}`);
  let two: Answer | undefined;
  const commands = await commandsDuring(target.redis, async () => {
    two = await request(base, statusPath);
  });
  check(two !== undefined && two.body === one.body, `GET ${statusPath} again: another body`);
  const after = await server.counts();
  const calls = after.sourceCalls.status - before.sourceCalls.status;
  if (cached) {
    check(two.xCache === 'HIT', `GET ${statusPath} again: x-cache ${two.xCache}, not HIT`);
    check(calls <= 1, `two GET ${statusPath} called the source ${calls} times`);
    const l1 = after.l1Hits - before.l1Hits;
    check(
      l1 > 0 || commands > 0,
      `the hit on ${statusPath} was neither an L1 hit nor read from Redis`,
    );
  } else {
    check(two.xCache === null, `uncached GET ${statusPath} has x-cache ${two.xCache}`);
    check(calls === 2, `two uncached GET ${statusPath} called the source ${calls} times`);
  }

  for (let attempt = 0; attempt < 2; attempt++) {
    const missing = await request(base, '/miners/m-9999/status');
    check(missing.status === 404, `GET /miners/m-9999/status answered ${missing.status}`);
  }
  const bad = await request(base, truth.configPaths[first] as string, '{"poolUrl":"x"}');
  check(bad.status === 400, `PUT of an invalid config answered ${bad.status}`);

  for (const miner of miners) {
    const path = truth.configPaths[miner] as string;
    expectOk(await request(base, path), `GET ${path}`);
    const summary = await request(base, '/fleet/summary');
    expectOk(summary, 'GET /fleet/summary');
    const { config, version } = tracker.nextWrite(miner);
    const body = JSON.stringify(config);
    const put = await request(base, path, body);
    expectOk(put, `PUT ${path}`);
    check(put.body === body, `PUT ${path} answered ${put.body.slice(0, 80)}, not ${body}`);
    tracker.acknowledge(miner, version);
    const read = await request(base, path);
    expectOk(read, `GET ${path} after PUT`);
    check(read.body === body, `GET ${path} after PUT returned ${read.body}, not the new ${body}`);
    const fresh = await request(base, '/fleet/summary');
    expectOk(fresh, 'GET /fleet/summary after PUT');
    check(fresh.body.startsWith(truth.summaryPrefix), `summary: ${fresh.body.slice(0, 80)}`);
    const total = (JSON.parse(fresh.body) as { totalPowerTargetW: number }).totalPowerTargetW;
    check(
      total === totalPowerTarget(tracker),
      `GET /fleet/summary after PUT ${path}: totalPowerTargetW ${total}, not ${totalPowerTarget(tracker)} (stale summary)`,
    );
  }
  tracker.settle();
}
