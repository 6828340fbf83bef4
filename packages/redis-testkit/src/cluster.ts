import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireExecutable } from './binaries.js';
import { trackDir, untrackDir } from './reaper.js';
import { info, type RedisAddress, sendCommand } from './resp.js';
import { type RedisServerHandle, startRedisServer } from './server.js';
import { waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

export interface RedisClusterOptions {
  /** Number of masters (redis-cli needs at least 3). Default 3. */
  readonly masters?: number;
  /** Replicas per master. Default 0. */
  readonly replicas?: number;
  /** `cluster-node-timeout` in ms: how fast a killed master is failed over. Default 2000. */
  readonly nodeTimeoutMs?: number;
  /** Extra `redis-server` arguments for every node. */
  readonly args?: readonly string[];
  /** Deadline for the whole cluster to report `cluster_state:ok`, in ms. Default 30_000. */
  readonly startTimeoutMs?: number;
}

/** A Redis Cluster of real `redis-server` processes on 127.0.0.1. */
export interface RedisClusterHandle {
  /** Every node, masters first, as `{ host, port }` (seed list for a cluster client). */
  readonly nodes: readonly RedisAddress[];
  /** Every node's server handle (same order as `nodes`): kill, pause or restart one by PID. */
  readonly servers: readonly RedisServerHandle[];
  /** The nodes that were masters when the cluster was created. */
  readonly masters: readonly RedisServerHandle[];
  /** The nodes that were replicas when the cluster was created. */
  readonly replicas: readonly RedisServerHandle[];
  /**
   * Resolves once every running node reports `cluster_state:ok`, knows every node, sees
   * `masters` healthy masters and (if a replica) is linked to its master. Use it after a
   * failover or a restart; a killed or paused node is left out.
   */
  waitForOk(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their dirs (nodes.conf). Idempotent. */
  stop(): Promise<void>;
}

interface NodeView {
  readonly port: number;
  readonly flags: readonly string[];
}

/** One node's view of the cluster, from `CLUSTER NODES`. */
async function clusterNodes(address: RedisAddress): Promise<NodeView[]> {
  const reply = await sendCommand(address, ['CLUSTER', 'NODES'], { timeoutMs: 1000 });
  if (typeof reply !== 'string') throw new Error('CLUSTER NODES returned a non-string reply');
  const views: NodeView[] = [];
  for (const line of reply.split('\n')) {
    const [, addr, flags] = line.split(' ');
    if (addr === undefined || flags === undefined) continue;
    const port = Number(addr.slice(addr.lastIndexOf(':') + 1).split('@')[0]);
    views.push({ port, flags: flags.split(',') });
  }
  return views;
}

const isMaster = (view: NodeView): boolean => view.flags.includes('master');
const UNSETTLED_FLAGS = ['fail', 'fail?', 'handshake', 'noaddr'];

class RedisCluster implements RedisClusterHandle {
  nodes: readonly RedisAddress[] = [];
  masters: readonly RedisServerHandle[] = [];
  replicas: readonly RedisServerHandle[] = [];
  private stopped = false;

  constructor(
    readonly servers: readonly RedisServerHandle[],
    private readonly masterCount: number,
    private readonly baseDir: string,
  ) {}

  /**
   * Settled means, on every running node: cluster_state:ok, every node known, exactly
   * `masters` masters among the running nodes and none of them failing or in handshake
   * (gossip has spread every role), and a replica's link to its master up.
   */
  private async settledOn(server: RedisServerHandle, livePorts: Set<number>): Promise<boolean> {
    const fields = await info(server, 'cluster-info', { timeoutMs: 1000 });
    if (fields.get('cluster_state') !== 'ok') return false;
    if (fields.get('cluster_known_nodes') !== String(this.servers.length)) return false;
    const view = (await clusterNodes(server)).filter((node) => livePorts.has(node.port));
    if (view.some((node) => node.flags.some((flag) => UNSETTLED_FLAGS.includes(flag))))
      return false;
    if (view.filter(isMaster).length !== this.masterCount) return false;
    const self = view.find((node) => node.flags.includes('myself'));
    if (self === undefined) return false;
    if (!isMaster(self)) {
      const replication = await info(server, 'replication', { timeoutMs: 1000 });
      if (replication.get('master_link_status') !== 'up') return false;
    }
    return true;
  }

  async waitForOk(timeoutMs = 30_000): Promise<void> {
    const live = this.servers.filter((s) => s.running && !s.paused);
    const livePorts = new Set(live.map((s) => s.port));
    await waitFor(
      async () => {
        for (const server of live) {
          if (!(await this.settledOn(server, livePorts))) return false;
        }
        return true;
      },
      {
        timeoutMs,
        intervalMs: 50,
        description: 'cluster_state:ok and settled roles on every node',
      },
    );
  }

  async classify(): Promise<void> {
    const first = this.servers[0];
    if (first === undefined) return;
    const view = await clusterNodes(first);
    const masterPorts = new Set(view.filter(isMaster).map((node) => node.port));
    this.masters = this.servers.filter((s) => masterPorts.has(s.port));
    this.replicas = this.servers.filter((s) => !masterPorts.has(s.port));
    this.nodes = [...this.masters, ...this.replicas].map(({ host, port }) => ({ host, port }));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.servers.map((server) => server.stop()));
    rmSync(this.baseDir, { recursive: true, force: true });
    untrackDir(this.baseDir);
  }
}

/**
 * Starts `masters * (1 + replicas)` cluster-enabled `redis-server`s, joins them with
 * `redis-cli --cluster create`, and resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  const masterCount = options.masters ?? 3;
  const replicasPerMaster = options.replicas ?? 0;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  if (masterCount < 3) throw new Error('A Redis Cluster needs at least 3 masters');
  const redisCli = requireExecutable('redis-cli');
  const deadline = Date.now() + timeoutMs;
  const remaining = (): number => Math.max(1, deadline - Date.now());

  const baseDir = mkdtempSync(join(tmpdir(), 'cachekit-cluster-'));
  trackDir(baseDir);
  const total = masterCount * (1 + replicasPerMaster);
  const args = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(options.nodeTimeoutMs ?? 2000),
    // Replicas sync at once instead of after the default 5 s diskless-sync delay.
    '--repl-diskless-sync-delay',
    '0',
    ...(options.args ?? []),
  ];
  const started = await Promise.allSettled(
    Array.from({ length: total }, (_, i) =>
      startRedisServer({
        dir: join(baseDir, `node-${i}`),
        clusterBus: true,
        args,
        startTimeoutMs: remaining(),
      }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const cluster = new RedisCluster(servers, masterCount, baseDir);
  try {
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    await execFileAsync(
      redisCli,
      [
        '--cluster',
        'create',
        ...servers.map((s) => `${s.host}:${s.port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ],
      { timeout: remaining() },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(
        `redis-cli --cluster create failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    });
    await cluster.waitForOk(remaining());
    await cluster.classify();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
