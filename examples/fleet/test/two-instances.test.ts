import { waitFor } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSummary, MinerConfig } from '../src/fleet-model.js';
import { closeAll, json, oneService, SseClient, startFleet } from './helpers.js';

afterEach(closeAll);

async function twoInstances(options: { tickMs?: number } = {}) {
  const service = oneService(redisFromInject().standalone.url);
  const a = await startFleet({ ...service, ...options, instanceId: 'instance-a' });
  const b = await startFleet({ ...service, ...options, instanceId: 'instance-b' });
  expect(a.store).toBe('redis');
  return { a, b };
}

describe('two instances on one Redis behave as one service', () => {
  it('a PUT on A is what a GET on B answers right away, and B’s summary cascades', async () => {
    const { a, b } = await twoInstances();
    for (let round = 1; round <= 3; round++) {
      const before = json<MinerConfig>(await b.app.inject('/miners/m-006/config'));
      const cachedOnB = await b.app.inject('/miners/m-006/config');
      expect(cachedOnB.headers['x-cache']).toBe('HIT');
      const summaryBefore = json<FleetSummary>(await b.app.inject('/fleet/summary'));
      const config: MinerConfig = {
        poolUrl: `stratum+tcp://pool-${round}.example:3333`,
        powerTargetW: before.powerTargetW - 100,
        fanMode: round % 2 === 0 ? 'auto' : 'manual',
      };
      const put = await a.app.inject({
        method: 'PUT',
        url: '/miners/m-006/config',
        payload: config,
      });
      expect(put.statusCode).toBe(200);
      // No waiting: the next request to B must already answer the new config.
      expect(json<MinerConfig>(await b.app.inject('/miners/m-006/config'))).toEqual(config);
      const summary = json<FleetSummary>(await b.app.inject('/fleet/summary'));
      expect(summary.totalPowerTargetW).toBe(summaryBefore.totalPowerTargetW - 100);
    }
    expect(a.source.calls.writeConfig).toBe(3);
    expect(b.source.calls.writeConfig).toBe(0);
  });

  it('the fleet’s state is shared: a status set through A is what B’s source reads', async () => {
    const { a, b } = await twoInstances();
    const status = await a.simulator.setStatus('m-010', { online: false, hashrateTHs: 0 });
    expect(await b.source.status('m-010')).toEqual(status);
    expect(json<{ miners: unknown[] }>(await b.app.inject('/miners')).miners).toHaveLength(12);
  });

  it('a status change on A reaches SSE clients of B (miner and fleet streams)', async () => {
    const { a, b } = await twoInstances();
    const base = await b.app.listen({ port: 0, host: '127.0.0.1' });
    const miner = await SseClient.open(`${base}/miners/m-002/status/stream`);
    const fleet = await SseClient.open(`${base}/fleet/stream`);
    try {
      expect((await miner.next()).event).toBe('status');
      expect((await fleet.next()).event).toBe('snapshot');
      const changed = await a.simulator.setStatus('m-002', { temperatureC: 88.8 });
      expect(await miner.next()).toEqual({ event: 'status', data: changed });
      expect(await fleet.next()).toEqual({ event: 'status', data: changed });
      const put: MinerConfig = {
        poolUrl: 'stratum+ssl://eu.pool.example:443',
        powerTargetW: 3000,
        fanMode: 'auto',
      };
      await a.app.inject({ method: 'PUT', url: '/miners/m-003/config', payload: put });
      expect(await fleet.next((e) => e.event === 'config')).toEqual({
        event: 'config',
        data: { minerId: 'm-003', config: put },
      });
    } finally {
      miner.close();
      fleet.close();
    }
  });

  it('only one instance runs the simulation ticker at a time', async () => {
    const { a, b } = await twoInstances({ tickMs: 20 });
    await waitFor(() => a.simulator.ticks + b.simulator.ticks >= 5, {
      description: 'five simulation ticks',
    });
    expect(Math.min(a.simulator.ticks, b.simulator.ticks)).toBe(0);
  });
});
