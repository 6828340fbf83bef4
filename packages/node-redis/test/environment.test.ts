import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { createClient, createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';

// Checks the test environment this package's tests run in: node-redis reaches the
// standalone server and the cluster that the global setup provides.
describe('node-redis test environment', () => {
  const { standalone, cluster } = redisFromInject();
  const client = createClient({ url: standalone.url });
  const clusterClient = createCluster({
    rootNodes: cluster.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
  });

  afterAll(async () => {
    await Promise.allSettled([client.close(), clusterClient.close()]);
  });

  it('reaches the standalone server', async () => {
    await client.connect();
    await expect(client.ping()).resolves.toBe('PONG');
  });

  it('reaches the cluster', async () => {
    await clusterClient.connect();
    await clusterClient.set('cachekit:env:{node-redis}', '1', {
      expiration: { type: 'PX', value: 10_000 },
    });
    await expect(clusterClient.get('cachekit:env:{node-redis}')).resolves.toBe('1');
  });
});
