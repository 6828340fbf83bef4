import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import autocannon from 'autocannon';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, oneService, promSamples, startFleet } from './helpers.js';

afterEach(closeAll);

describe('under load, with Redis', () => {
  it('the status routes of 36 miners keep a hit ratio above 0.8 (read from /metrics)', async () => {
    const service = oneService(redisFromInject().standalone.url);
    const fleet = await startFleet({ ...service, miners: 200, latencyMs: 25, tickMs: 1000 });
    const base = await fleet.app.listen({ port: 0, host: '127.0.0.1' });
    const ids = Array.from({ length: 36 }, (_, i) => `m-${String(i * 5 + 1).padStart(3, '0')}`);

    const result = await autocannon({
      url: base,
      connections: 20,
      duration: 2,
      timeout: 10,
      // Each request picks a miner at random, as independent clients would (not in lock-step).
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({
            ...request,
            path: `/miners/${ids[Math.floor(Math.random() * ids.length)]}/status`,
          }),
        },
      ],
    });
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBeGreaterThan(200);

    const text = await (await fetch(`${base}/metrics`)).text();
    const namespace = `${service.namespace}:http`;
    const sum = (name: string): number =>
      promSamples(text, name)
        .filter((s) => s.labels.namespace === namespace)
        .reduce((total, s) => total + s.value, 0);
    const hits = sum('cachekit_hits_total');
    const misses = sum('cachekit_misses_total');
    expect(hits).toBeGreaterThan(0);
    expect(hits / (hits + misses)).toBeGreaterThan(0.8);
    const [ratio] = promSamples(text, 'cachekit_hit_ratio').filter(
      (s) => s.labels.namespace === namespace,
    );
    expect(ratio?.value).toBeGreaterThan(0.8);
    // EPHEMERAL 10 s and coalesced misses: about one source call per miner for the whole run.
    expect(fleet.source.calls.status).toBeLessThanOrEqual(ids.length * 2);
    console.info(
      `autocannon: ${result['2xx']} requests in ${result.duration} s, p50 ${result.latency.p50} ms, ` +
        `p99 ${result.latency.p99} ms; hit ratio ${(hits / (hits + misses)).toFixed(4)}, ` +
        `${fleet.source.calls.status} source calls`,
    );
  }, 30_000);
});
