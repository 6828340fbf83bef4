import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

// Checks the test environment this package's tests run in: ioredis reaches the
// standalone server and the cluster that the global setup provides.
describe('ioredis test environment', () => {
  const { standalone, cluster } = redisFromInject();
  const client = new Redis({ host: standalone.host, port: standalone.port, lazyConnect: true });
  const clusterClient = new Cluster(
    cluster.map(({ host, port }) => ({ host, port })),
    { lazyConnect: true },
  );

  afterAll(async () => {
    await Promise.allSettled([client.quit(), clusterClient.quit()]);
  });

  it('reaches the standalone server', async () => {
    await expect(client.ping()).resolves.toBe('PONG');
  });

  it('reaches the cluster', async () => {
    await clusterClient.set('cachekit:env:{ioredis}', '1', 'PX', 10_000);
    await expect(clusterClient.get('cachekit:env:{ioredis}')).resolves.toBe('1');
  });
});
