import { describe, expect, inject, it } from 'vitest';
import { info, sendCommand } from '../src/index.js';
import { redisFromInject } from '../src/vitest.js';

describe("inject('redis') from the global setup", () => {
  it('provides a standalone server that answers PING', async () => {
    const { standalone } = inject('redis');
    expect(standalone.url).toMatch(/^rediss?:\/\//);
    await expect(sendCommand(standalone, ['PING'])).resolves.toBe('PONG');
  });

  it('provides a healthy cluster', async () => {
    const { cluster } = redisFromInject();
    expect(cluster.length).toBeGreaterThanOrEqual(3);
    const first = cluster[0];
    if (first === undefined) throw new Error('no cluster node');
    const fields = await info(first, 'cluster-info');
    expect(fields.get('cluster_state')).toBe('ok');
  });

  it('says whether the servers came from the environment', () => {
    const external = Boolean(process.env.REDIS_URL || process.env.REDIS_CLUSTER_NODES);
    expect(redisFromInject().external).toBe(external);
  });
});
