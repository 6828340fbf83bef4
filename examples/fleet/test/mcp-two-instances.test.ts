import { waitFor } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSummary, MinerConfig, MinerStatus } from '../src/fleet-model.js';
import { configUri, SUMMARY_URI, statusUri } from '../src/mcp-uris.js';
import { closeAll, oneService, startFleet } from './helpers.js';
import { callTool, closeClients, httpClient, readJson } from './mcp-helpers.js';

afterEach(async () => {
  await closeClients();
  await closeAll();
});

/** Two instances of one service on the test Redis, each listening on a free port. */
async function twoInstances() {
  const service = oneService(redisFromInject().standalone.url);
  const a = await startFleet({ ...service, instanceId: 'instance-a' });
  const b = await startFleet({ ...service, instanceId: 'instance-b' });
  const urls = {
    a: await a.app.listen({ port: 0, host: '127.0.0.1' }),
    b: await b.app.listen({ port: 0, host: '127.0.0.1' }),
  };
  return { a, b, urls };
}

describe('MCP over Streamable HTTP, two instances on one Redis', () => {
  it('a config update through A’s tool notifies B’s subscriber, and B’s next read is the new config', async () => {
    const { a, b, urls } = await twoInstances();
    const onA = await httpClient(urls.a);
    const onB = await httpClient(urls.b);
    expect(a.mcpHttp.sessions).toBe(1);
    expect(b.mcpHttp.sessions).toBe(1);
    const uri = configUri('m-006');
    await onB.client.subscribeResource({ uri });
    await onB.client.subscribeResource({ uri: SUMMARY_URI });
    for (let round = 1; round <= 2; round++) {
      const before = await readJson<MinerConfig>(onB, uri);
      const summaryBefore = await readJson<FleetSummary>(onB, SUMMARY_URI);
      const config: MinerConfig = {
        poolUrl: `stratum+tcp://pool-${round}.example:3333`,
        powerTargetW: before.powerTargetW - 100,
        fanMode: round % 2 === 0 ? 'auto' : 'manual',
      };
      const result = await callTool(onA, 'update_miner_config', { minerId: 'm-006', ...config });
      expect(result.isError).toBeFalsy();
      await waitFor(
        () =>
          onB.updates.filter((u) => u === uri).length === round &&
          onB.updates.filter((u) => u === SUMMARY_URI).length === round,
        { description: `round ${round}: B notified of the config and the summary` },
      );
      expect(await readJson<MinerConfig>(onB, uri)).toEqual(config);
      const summary = await readJson<FleetSummary>(onB, SUMMARY_URI);
      expect(summary.totalPowerTargetW).toBe(summaryBefore.totalPowerTargetW - 100);
    }
    expect(onB.updates).toHaveLength(4);
    expect(onA.updates).toEqual([]);
    expect(a.source.calls.writeConfig).toBe(2);
    expect(b.source.calls.writeConfig).toBe(0);
    expect([...onA.errors, ...onB.errors]).toEqual([]);
  });

  it('a status change made on A reaches subscribers on both instances exactly once', async () => {
    const { a, urls } = await twoInstances();
    const onA = await httpClient(urls.a);
    const onB = await httpClient(urls.b);
    for (const client of [onA, onB]) {
      await client.client.subscribeResource({ uri: statusUri('m-002') });
      await client.client.subscribeResource({ uri: statusUri('m-003') });
    }
    await readJson<MinerStatus>(onB, statusUri('m-002'));
    const changed = await a.simulator.setStatus('m-002', { temperatureC: 91.5 });
    await a.simulator.setStatus('m-003', { online: false });
    await waitFor(
      () => onA.updates.includes(statusUri('m-003')) && onB.updates.includes(statusUri('m-003')),
      { description: 'the m-003 notifications on both instances' },
    );
    const expected = [statusUri('m-002'), statusUri('m-003')];
    expect(onA.updates).toEqual(expected);
    expect(onB.updates).toEqual(expected);
    expect(await readJson<MinerStatus>(onB, statusUri('m-002'))).toEqual(changed);
  });

  it('DELETE ends the session; an unknown session id is a 404, a request without one a 400', async () => {
    const { a, urls } = await twoInstances();
    const client = await httpClient(urls.a);
    const id = client.sessionId();
    expect(id).not.toBe('');
    expect(a.mcpHttp.sessions).toBe(1);
    await client.close();
    expect(a.mcpHttp.sessions).toBe(0);
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    };
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const gone = await fetch(`${urls.a}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': id },
      body: ping,
    });
    expect(gone.status).toBe(404);
    const none = await fetch(`${urls.a}/mcp`, { method: 'POST', headers, body: ping });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({
      error: { message: expect.stringMatching(/initialize/) },
    });
  });

  it('closing an instance ends its open sessions (their event streams do not hold it up)', async () => {
    const { a, b, urls } = await twoInstances();
    const onA = await httpClient(urls.a);
    await onA.client.subscribeResource({ uri: statusUri('m-001') });
    await readJson<MinerStatus>(onA, statusUri('m-001'));
    expect(a.mcpHttp.sessions).toBe(1);
    await a.close();
    expect(a.mcpHttp.sessions).toBe(0);
    // B still serves.
    const onB = await httpClient(urls.b);
    expect((await readJson<MinerStatus>(onB, statusUri('m-001'))).id).toBe('m-001');
    expect(b.mcpHttp.sessions).toBe(1);
  });
});
