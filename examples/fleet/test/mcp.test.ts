import { waitFor } from '@cachekit/redis-testkit';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSummary, MinerConfig, MinerStatus } from '../src/fleet-model.js';
import { configUri, FIRMWARE_URI, SUMMARY_URI, statusUri } from '../src/mcp-uris.js';
import { closeAll, json, startFleet } from './helpers.js';
import { callTool, closeClients, inProcessClient, readJson, toolText } from './mcp-helpers.js';

afterEach(async () => {
  await closeClients();
  await closeAll();
});

const NEW_CONFIG: MinerConfig = {
  poolUrl: 'stratum+ssl://mcp.pool.example:443',
  powerTargetW: 2750,
  fanMode: 'immersion',
};

describe('MCP over the in-memory transport (a real Client, the demo’s server factory)', () => {
  it('lists the four resources: two templates listing every miner, two fixed URIs', async () => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'braiins:///miner/{minerId}/config',
      'braiins:///miner/{minerId}/status',
    ]);
    const { resources } = await mcp.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining([SUMMARY_URI, FIRMWARE_URI]));
    expect(uris.filter((uri) => uri.endsWith('/status'))).toHaveLength(12);
    expect(uris.filter((uri) => uri.endsWith('/config'))).toHaveLength(12);
    expect(uris).toContain(statusUri('m-012'));
    // The listing is cached: listing again asks the source nothing more.
    const calls = fleet.source.calls.miners;
    await mcp.client.listResources();
    expect(fleet.source.calls.miners).toBe(calls);
    const capabilities = mcp.client.getServerCapabilities();
    expect(capabilities?.resources).toMatchObject({ subscribe: true });
  });

  it.each([
    [statusUri('m-002'), 'status'],
    [configUri('m-002'), 'config'],
    [SUMMARY_URI, 'summary'],
    [FIRMWARE_URI, 'firmware'],
  ] as const)('reads %s: a miss, then a hit (one source call)', async (uri, call) => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    const first = await mcp.client.readResource({ uri });
    expect(fleet.source.calls[call]).toBe(1);
    expect(first.contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
    const second = await mcp.client.readResource({ uri });
    expect(second).toEqual(first);
    expect(fleet.source.calls[call]).toBe(1);
  });

  it('answers what the source holds, and shares entries between sessions', async () => {
    const fleet = await startFleet();
    const a = await inProcessClient(fleet);
    const b = await inProcessClient(fleet);
    const status = await readJson<MinerStatus>(a, statusUri('m-007'));
    expect(status).toEqual(await fleet.source.state.records(['m-007']).then((r) => r[0]?.status));
    expect(await readJson<MinerStatus>(b, statusUri('m-007'))).toEqual(status);
    expect(fleet.source.calls.status).toBe(1);
    const summary = await readJson<FleetSummary>(a, SUMMARY_URI);
    expect(summary.miners).toBe(12);
  });

  it('unknown miners and malformed ids are MCP errors, never cached; the server keeps serving', async () => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    for (let i = 0; i < 2; i++) {
      await expect(mcp.client.readResource({ uri: statusUri('m-999') })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringMatching(/No miner "m-999"/),
      });
    }
    expect(fleet.source.calls.status).toBe(2);
    await expect(
      mcp.client.readResource({ uri: 'braiins:///miner/%24%7Bbad%7D/config' }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(mcp.client.readResource({ uri: 'braiins:///nothing/here' })).rejects.toMatchObject(
      { code: ErrorCode.InvalidParams },
    );
    expect(fleet.source.calls.config).toBe(0);
    expect((await readJson<MinerStatus>(mcp, statusUri('m-001'))).id).toBe('m-001');
  });

  it('update_miner_config writes through: the next read (MCP and HTTP) returns the new config', async () => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    const before = await readJson<MinerConfig>(mcp, configUri('m-004'));
    const summaryBefore = await readJson<FleetSummary>(mcp, SUMMARY_URI);
    expect((await fleet.app.inject('/miners/m-004/config')).headers['x-cache']).toBe('MISS');
    const result = await callTool(mcp, 'update_miner_config', { minerId: 'm-004', ...NEW_CONFIG });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ minerId: 'm-004', config: NEW_CONFIG });
    expect(JSON.parse(toolText(result))).toEqual({ minerId: 'm-004', config: NEW_CONFIG });
    expect(fleet.source.calls.writeConfig).toBe(1);

    expect(await readJson<MinerConfig>(mcp, configUri('m-004'))).toEqual(NEW_CONFIG);
    const summary = await readJson<FleetSummary>(mcp, SUMMARY_URI);
    expect(summary.totalPowerTargetW).toBe(
      summaryBefore.totalPowerTargetW - before.powerTargetW + NEW_CONFIG.powerTargetW,
    );
    // The same write-through path as PUT: the HTTP GET was re-cached with the new config.
    const http = await fleet.app.inject('/miners/m-004/config');
    expect(http.headers['x-cache']).toBe('HIT');
    expect(json<MinerConfig>(http)).toEqual(NEW_CONFIG);
  });

  it('update_miner_config refuses unknown miners and invalid input, writing nothing', async () => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    const unknown = await callTool(mcp, 'update_miner_config', { minerId: 'm-999', ...NEW_CONFIG });
    expect(unknown.isError).toBe(true);
    expect(toolText(unknown)).toMatch(/No miner "m-999"/);
    for (const bad of [
      { minerId: 'm-001', ...NEW_CONFIG, powerTargetW: 99_999 },
      { minerId: 'm-001', ...NEW_CONFIG, poolUrl: 'http://not-stratum.example' },
      { minerId: 'm-001', ...NEW_CONFIG, extra: true },
      { minerId: 'm-001', poolUrl: NEW_CONFIG.poolUrl },
    ]) {
      const result = await callTool(mcp, 'update_miner_config', bad);
      expect(result.isError, JSON.stringify(bad)).toBe(true);
    }
    expect(fleet.source.calls.writeConfig).toBe(1);
    expect(await readJson<MinerConfig>(mcp, configUri('m-001'))).not.toEqual(NEW_CONFIG);
  });

  it('a status change sends exactly one resources/updated, to subscribed sessions only', async () => {
    const fleet = await startFleet();
    const watcher = await inProcessClient(fleet);
    const other = await inProcessClient(fleet);
    const bystander = await inProcessClient(fleet);
    await watcher.client.subscribeResource({ uri: statusUri('m-003') });
    await watcher.client.subscribeResource({ uri: statusUri('m-004') });
    await other.client.subscribeResource({ uri: statusUri('m-004') });
    const old = await readJson<MinerStatus>(watcher, statusUri('m-003'));

    const changed = await fleet.simulator.setStatus('m-003', {
      temperatureC: old.temperatureC + 7,
    });
    await fleet.simulator.setStatus('m-004', { online: false });
    // m-004's notification comes after m-003's: once it is here, m-003's have all arrived.
    await waitFor(() => watcher.updates.includes(statusUri('m-004')) && other.updates.length > 0, {
      description: 'the m-004 notifications',
    });
    expect(watcher.updates).toEqual([statusUri('m-003'), statusUri('m-004')]);
    expect(other.updates).toEqual([statusUri('m-004')]);
    expect(bystander.updates).toEqual([]);
    // The cached status was dropped: the next read is the new one.
    expect(await readJson<MinerStatus>(watcher, statusUri('m-003'))).toEqual(changed);

    await watcher.client.unsubscribeResource({ uri: statusUri('m-003') });
    await fleet.simulator.setStatus('m-003', { temperatureC: 50 });
    await fleet.simulator.setStatus('m-004', { online: true });
    await waitFor(() => watcher.updates.filter((uri) => uri === statusUri('m-004')).length === 2, {
      description: 'the second m-004 update',
    });
    expect(watcher.updates).toEqual([statusUri('m-003'), statusUri('m-004'), statusUri('m-004')]);
  });

  it('update_miner_config notifies the config’s and the summary’s subscribers once', async () => {
    const fleet = await startFleet();
    const writer = await inProcessClient(fleet);
    const watcher = await inProcessClient(fleet);
    await watcher.client.subscribeResource({ uri: configUri('m-005') });
    await watcher.client.subscribeResource({ uri: SUMMARY_URI });
    await watcher.client.subscribeResource({ uri: statusUri('m-001') });
    await callTool(writer, 'update_miner_config', { minerId: 'm-005', ...NEW_CONFIG });
    // A later change as a sync point: everything sent before it has arrived.
    await fleet.simulator.setStatus('m-001', { online: false });
    await waitFor(() => watcher.updates.includes(statusUri('m-001')), { description: 'sync' });
    expect([...watcher.updates].sort()).toEqual(
      [configUri('m-005'), SUMMARY_URI, statusUri('m-001')].sort(),
    );
    expect(writer.updates).toEqual([]);
  });

  it('a PUT on the HTTP route drops the MCP copies and notifies MCP subscribers', async () => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    await readJson<MinerConfig>(mcp, configUri('m-009'));
    await readJson<FleetSummary>(mcp, SUMMARY_URI);
    await mcp.client.subscribeResource({ uri: configUri('m-009') });
    await mcp.client.subscribeResource({ uri: SUMMARY_URI });
    const put = await fleet.app.inject({
      method: 'PUT',
      url: '/miners/m-009/config',
      payload: NEW_CONFIG,
    });
    expect(put.statusCode).toBe(200);
    await waitFor(() => mcp.updates.length === 2, { description: 'two notifications' });
    expect([...mcp.updates].sort()).toEqual([configUri('m-009'), SUMMARY_URI].sort());
    expect(await readJson<MinerConfig>(mcp, configUri('m-009'))).toEqual(NEW_CONFIG);
    const summary = await readJson<FleetSummary>(mcp, SUMMARY_URI);
    expect(summary.pools[NEW_CONFIG.poolUrl]).toBe(1);
  });

  it('warm_cache reads every status and config, the summary and firmware: then reads are hits', async () => {
    const fleet = await startFleet();
    const mcp = await inProcessClient(fleet);
    const result = await callTool(mcp, 'warm_cache', {});
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      statuses: 12,
      configs: 12,
      summary: 1,
      firmware: 1,
      failed: [],
    });
    const calls = fleet.source.totalCalls;
    for (let i = 1; i <= 12; i++) {
      const id = `m-${String(i).padStart(3, '0')}`;
      await mcp.client.readResource({ uri: statusUri(id) });
      await mcp.client.readResource({ uri: configUri(id) });
    }
    await mcp.client.readResource({ uri: SUMMARY_URI });
    expect(fleet.source.totalCalls).toBe(calls);

    const partial = await callTool(mcp, 'warm_cache', { minerIds: ['m-001', 'm-999'] });
    expect(partial.isError).toBe(true);
    expect(partial.structuredContent).toMatchObject({ statuses: 1, configs: 1 });
    expect(JSON.stringify(partial.structuredContent)).toMatch(/m-999/);
  });
});
