import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { info, type RedisClusterHandle, sendCommand, startRedisCluster } from '../src/index.js';
import { isAlive } from './helpers.js';

describe('startRedisCluster (3 masters + 3 replicas)', () => {
  let cluster: RedisClusterHandle;
  let pids: number[];

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1 });
    pids = cluster.servers.map((server) => server.pid);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('reports cluster_state:ok on every node, all slots assigned', async () => {
    expect(cluster.servers).toHaveLength(6);
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.masters).toHaveLength(3);
    expect(cluster.replicas).toHaveLength(3);
    for (const node of cluster.nodes) {
      const fields = await info(node, 'cluster-info');
      expect(fields.get('cluster_state')).toBe('ok');
      expect(fields.get('cluster_slots_assigned')).toBe('16384');
      expect(fields.get('cluster_known_nodes')).toBe('6');
    }
  });

  it('lists every node in CLUSTER NODES', async () => {
    const first = cluster.nodes[0];
    if (first === undefined) throw new Error('no nodes');
    const reply = (await sendCommand(first, ['CLUSTER', 'NODES'])) as string;
    const ports = reply
      .trim()
      .split('\n')
      .map((line) => Number(line.split(' ')[1]?.split('@')[0]?.split(':')[1]));
    expect(ports.sort()).toEqual(cluster.nodes.map((n) => n.port).sort());
  });

  it('fails a killed master over to its replica', async () => {
    const victim = cluster.masters[0];
    if (victim === undefined) throw new Error('no master');
    await victim.kill();
    expect(isAlive(victim.pid)).toBe(false);
    const survivors = cluster.servers.filter((server) => server !== victim);
    // A replica is promoted after cluster-node-timeout (2 s) plus the election.
    await cluster.waitForOk(20_000);
    const roles = await Promise.all(
      survivors.map(async (node) => (await info(node, 'replication')).get('role')),
    );
    expect(roles.filter((role) => role === 'master')).toHaveLength(3);

    // The killed node comes back on its port and rejoins as a replica.
    await victim.restart();
    await cluster.waitForOk(20_000);
  }, 60_000);

  it('stop() ends every node and removes the nodes.conf dirs', async () => {
    const node = cluster.nodes[1];
    if (node === undefined) throw new Error('no node');
    const [, dir = ''] = (await sendCommand(node, ['CONFIG', 'GET', 'dir'])) as string[];
    expect(existsSync(dir)).toBe(true);
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('startRedisCluster (3 masters)', () => {
  it('starts without replicas and stops cleanly', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    try {
      expect(cluster.masters).toHaveLength(3);
      expect(cluster.replicas).toHaveLength(0);
      const node = cluster.nodes[2];
      if (node === undefined) throw new Error('no node');
      const fields = await info(node, 'cluster-info');
      expect(fields.get('cluster_state')).toBe('ok');
    } finally {
      await cluster.stop();
    }
    for (const server of cluster.servers) expect(isAlive(server.pid)).toBe(false);
  }, 60_000);

  it('refuses fewer than 3 masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(/at least 3 masters/);
  });
});
