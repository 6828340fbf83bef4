import type { TestProject } from 'vitest/node';
import { findExecutable, INSTALL_HINT } from './binaries.js';
import { type RedisClusterHandle, startRedisCluster } from './cluster.js';
import { parseClusterNodes, parseRedisUrl, type RedisTestConfig } from './config.js';
import { info, type RedisAddress, sendCommand } from './resp.js';
import { type RedisServerHandle, startRedisServer } from './server.js';
import { waitFor } from './wait.js';

/**
 * Replicas per master of the cluster started for the test run. Measured on a 2-core
 * machine: 3 masters + 3 replicas reach cluster_state:ok with synced replicas in about
 * 3-3.6 s, 3 masters alone in about 2 s (a master waits 2 s before it says ok, and
 * `redis-cli --cluster create` polls once a second). Under the 5 s budget, so the shared
 * cluster has replicas, like a production one.
 */
const CLUSTER_REPLICAS = 1;

async function checkReachable(address: RedisAddress, what: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        await sendCommand(address, ['PING'], { timeoutMs: 1000 });
      } catch (error) {
        // NOAUTH and the like still prove that a Redis answers there.
        if (!(error instanceof Error && error.name === 'RedisReplyError')) throw error;
      }
      return true;
    },
    { timeoutMs: 5000, intervalMs: 100, description: `${what} at ${address.host}:${address.port}` },
  );
}

async function checkClusterOk(nodes: readonly RedisAddress[]): Promise<void> {
  const first = nodes[0];
  if (first === undefined) return;
  await checkReachable(first, 'REDIS_CLUSTER_NODES');
  const fields = await info(first, 'cluster-info');
  if (fields.get('cluster_state') !== 'ok') {
    throw new Error(
      `REDIS_CLUSTER_NODES: ${first.host}:${first.port} reports cluster_state:${fields.get('cluster_state') ?? '?'}`,
    );
  }
}

/**
 * vitest global setup (root `test.globalSetup`): runs once for the whole run, starts one
 * standalone server and one cluster (unless REDIS_URL / REDIS_CLUSTER_NODES name running
 * ones) and provides them as `inject('redis')` ({@link RedisTestConfig}) to every project.
 * The returned teardown stops every server it started.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const envUrl = process.env.REDIS_URL?.trim() || undefined;
  const envNodes = process.env.REDIS_CLUSTER_NODES?.trim() || undefined;
  const standaloneFromEnv = envUrl === undefined ? undefined : parseRedisUrl(envUrl);
  const clusterFromEnv = envNodes === undefined ? undefined : parseClusterNodes(envNodes);

  const missing: string[] = [];
  if (standaloneFromEnv === undefined && findExecutable('redis-server') === undefined) {
    missing.push('redis-server');
  }
  if (clusterFromEnv === undefined) {
    for (const binary of ['redis-server', 'redis-cli']) {
      if (findExecutable(binary) === undefined && !missing.includes(binary)) missing.push(binary);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `cachekit tests need a real Redis, but ${missing.map((m) => `\`${m}\``).join(' and ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} not on PATH and REDIS_URL / REDIS_CLUSTER_NODES ` +
        `are not both set. ${INSTALL_HINT}`,
    );
  }

  const startedAt = performance.now();
  const [standaloneResult, clusterResult] = await Promise.allSettled([
    standaloneFromEnv === undefined ? startRedisServer() : Promise.resolve(undefined),
    clusterFromEnv === undefined
      ? startRedisCluster({ masters: 3, replicas: CLUSTER_REPLICAS })
      : Promise.resolve(undefined),
  ]);
  const server: RedisServerHandle | undefined =
    standaloneResult.status === 'fulfilled' ? standaloneResult.value : undefined;
  const cluster: RedisClusterHandle | undefined =
    clusterResult.status === 'fulfilled' ? clusterResult.value : undefined;
  const teardown = async (): Promise<void> => {
    await Promise.all([server?.stop(), cluster?.stop()]);
  };
  try {
    if (standaloneResult.status === 'rejected') throw standaloneResult.reason;
    if (clusterResult.status === 'rejected') throw clusterResult.reason;
    if (standaloneFromEnv !== undefined) await checkReachable(standaloneFromEnv, 'REDIS_URL');
    if (clusterFromEnv !== undefined) await checkClusterOk(clusterFromEnv);
  } catch (error) {
    await teardown();
    throw error;
  }

  const standalone =
    standaloneFromEnv ??
    (server === undefined ? undefined : { host: server.host, port: server.port, url: server.url });
  const clusterNodes = clusterFromEnv ?? cluster?.nodes.map(({ host, port }) => ({ host, port }));
  if (standalone === undefined || clusterNodes === undefined) {
    await teardown();
    throw new Error('redis-testkit global setup: no Redis to provide');
  }
  const config: RedisTestConfig = {
    standalone,
    cluster: clusterNodes,
    external: standaloneFromEnv !== undefined || clusterFromEnv !== undefined,
  };
  project.provide('redis', config);

  const elapsed = Math.round(performance.now() - startedAt);
  const clusterText = cluster
    ? `cluster ${cluster.masters.length} masters + ${cluster.replicas.length} replicas (${cluster.nodes[0]?.port}…)`
    : `cluster ${clusterNodes.length} nodes from REDIS_CLUSTER_NODES`;
  const standaloneText = server
    ? `standalone ${server.url}`
    : `standalone ${standalone.url} from REDIS_URL`;
  console.log(`[redis-testkit] ${standaloneText}, ${clusterText}; ready in ${elapsed} ms`);

  return teardown;
}
