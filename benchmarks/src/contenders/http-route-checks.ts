import type { RedisAddress } from '@cachekit/redis-testkit';
import { check, preview } from '../harness/verify.js';
import type { HttpRoute, ServerCounts } from '../processes/http-protocol.js';
import type { HttpServerProcess } from '../processes/http-server-client.js';
import { commandsDuring } from './redis-probe.js';

/**
 * How a B7 route is served, which decides what is checked: a plain route runs its handler per
 * request; a cached one never does once warm, and its requests are L1 hits (`l1-hit`) or reads
 * from Redis by a cache without L1 (`l2-hit`).
 */
export type RouteKind = 'plain' | 'l1-hit' | 'l2-hit';

/** Requests of one burst and what the server counted around it. */
export interface ServedBurst {
  readonly route: HttpRoute;
  readonly kind: RouteKind;
  readonly requests: number;
  readonly before: ServerCounts;
  readonly after: ServerCounts;
  /** Redis commands processed during the burst (`INFO stats`). */
  readonly commands: number;
  /**
   * L1 misses allowed on an L1 route (an L1 TTL expiry in a timed burst sends up to one in-flight
   * request per connection to Redis); 0 in `verify`.
   */
  readonly l1Slack: number;
}

/**
 * What a burst must have done on the server: a plain route ran its handler for each request, a
 * cached one never (every request a hit); an L1 route's requests were L1 hits (`cache.
 * l1HitCounts()`), the L2 route's cache counted no L1 hit and Redis was read. Throws a
 * VerificationError otherwise.
 */
export function checkServedBurst(burst: ServedBurst): void {
  const { route, requests, before, after } = burst;
  const sourceCalls = after.sourceCalls[route] - before.sourceCalls[route];
  if (burst.kind === 'plain') {
    check(
      sourceCalls === requests,
      `${requests} requests ran the handler ${sourceCalls} times: not once per request`,
    );
    return;
  }
  check(
    sourceCalls === 0,
    `${requests} requests ran the source ${sourceCalls} times: not all were cache hits`,
  );
  if (burst.kind === 'l1-hit') {
    const hits = after.l1Hits.withL1 - before.l1Hits.withL1;
    check(
      hits >= requests - burst.l1Slack,
      `${requests} requests made ${hits} L1 hits: not served from L1`,
    );
    return;
  }
  const hits = after.l1Hits.withoutL1 - before.l1Hits.withoutL1;
  check(hits === 0, `the cache without L1 counted ${hits} L1 hits: it has an L1`);
  check(burst.commands > 0, `${requests} requests sent no command to Redis: not read from Redis`);
}

/** Where {@link checkResponses} sends its requests and what they must answer. */
export interface ResponseCheck {
  readonly server: HttpServerProcess;
  readonly redis: RedisAddress;
  readonly route: HttpRoute;
  readonly kind: RouteKind;
  /** The body every response must carry, byte for byte. */
  readonly body: string;
  /** Requests after the first, one at a time. */
  readonly count: number;
}

/**
 * Sequential requests (`fetch`): each answers 200, `application/json` and exactly `body`. On a
 * cached route the first may be a MISS (it runs the source once), the `count` others are HITs
 * whose Redis commands are counted: none for an L1 route, at least one each for the L2 route (one
 * request at a time, no two share a read). A plain route has no `x-cache` and runs its handler
 * for each request.
 */
export async function checkResponses(c: ResponseCheck): Promise<void> {
  const url = c.server.url(c.route);
  const request = async (i: number): Promise<void> => {
    const response = await fetch(url);
    const text = await response.text();
    const where = `request ${i + 1} to ${url}`;
    const xCache = response.headers.get('x-cache');
    const type = response.headers.get('content-type');
    check(response.status === 200, `${where} answered ${response.status}`);
    check(text === c.body, `${where} answered ${preview(text)}, not the handler's body`);
    check(type?.startsWith('application/json') === true, `${where} has content-type ${type}`);
    if (c.kind === 'plain') {
      check(xCache === null, `${where} has x-cache: ${xCache} on a route without the plugin`);
    } else if (i === 0) {
      check(xCache === 'MISS' || xCache === 'HIT', `${where} has x-cache: ${xCache}`);
    } else {
      check(xCache === 'HIT', `${where} has x-cache: ${xCache}, not HIT`);
    }
  };
  const before = await c.server.counts();
  await request(0);
  const commands = await commandsDuring(c.redis, async () => {
    for (let i = 1; i <= c.count; i++) await request(i);
  });
  const after = await c.server.counts();
  const calls = after.sourceCalls[c.route] - before.sourceCalls[c.route];
  const expected = c.kind === 'plain' ? c.count + 1 : 1;
  check(calls === expected, `${c.count + 1} sequential requests ran the source ${calls} times`);
  if (c.kind === 'l1-hit') {
    check(
      commands < c.count / 2,
      `${c.count} sequential hits sent ${commands} commands to Redis: not served from L1`,
    );
  } else if (c.kind === 'l2-hit') {
    check(
      commands >= c.count,
      `${c.count} sequential hits sent only ${commands} commands to Redis: not each read from Redis`,
    );
  }
}
