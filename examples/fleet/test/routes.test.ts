import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSummary, MinerConfig, MinerStatus } from '../src/fleet-model.js';
import { closeAll, json, maxAge, SseClient, startFleet } from './helpers.js';

afterEach(closeAll);

const NEW_CONFIG: MinerConfig = {
  poolUrl: 'stratum+tcp://backup.pool.example:4444',
  powerTargetW: 2500,
  fanMode: 'manual',
};

describe('fleet routes on the memory store', () => {
  it.each([
    ['/miners', 120, 'miners'],
    ['/miners/m-002/status', 10, 'status'],
    ['/fleet/summary', 30, 'summary'],
    ['/miners/m-002/config', 300, 'config'],
    ['/firmware/versions', 3600, 'firmware'],
  ] as const)('GET %s: MISS then HIT, max-age %i s, one source call', async (url, ttl, call) => {
    const fleet = await startFleet();
    const first = await fleet.app.inject({ method: 'GET', url });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(maxAge(first)).toBe(ttl);
    const second = await fleet.app.inject({ method: 'GET', url });
    expect(second.statusCode).toBe(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(maxAge(second)).toBeLessThanOrEqual(ttl);
    expect(second.body).toBe(first.body);
    expect(fleet.source.calls[call]).toBe(1);
  });

  it('answers what the source holds', async () => {
    const fleet = await startFleet({ miners: 30 });
    const miners = json<{ miners: Array<{ id: string; model: string }> }>(
      await fleet.app.inject('/miners'),
    ).miners;
    expect(miners.map((m) => m.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `m-${String(i + 1).padStart(3, '0')}`),
    );
    const status = json<MinerStatus>(await fleet.app.inject('/miners/m-030/status'));
    expect(status).toMatchObject({ id: 'm-030', online: expect.any(Boolean) });
    const summary = json<FleetSummary>(await fleet.app.inject('/fleet/summary'));
    expect(summary.miners).toBe(30);
    const firmware = json<{ versions: Array<{ version: string }> }>(
      await fleet.app.inject('/firmware/versions'),
    );
    expect(firmware.versions.length).toBeGreaterThan(0);
  });

  it('an unknown miner is a 404, never cached', async () => {
    const fleet = await startFleet();
    for (const [url, call] of [
      ['/miners/m-999/status', 'status'],
      ['/miners/m-999/config', 'config'],
    ] as const) {
      let calls = fleet.source.calls[call];
      for (let i = 0; i < 3; i++) {
        const response = await fleet.app.inject(url);
        expect(response.statusCode).toBe(404);
        expect(['MISS', 'BYPASS']).toContain(response.headers['x-cache']);
        expect(json<{ message: string }>(response).message).toMatch(
          /No miner "m-999".*GET \/miners/,
        );
        // Every request reaches the source: a 404 is never served from the cache.
        expect(fleet.source.calls[call]).toBeGreaterThan(calls);
        calls = fleet.source.calls[call];
      }
    }
    const put = await fleet.app.inject({
      method: 'PUT',
      url: '/miners/m-999/config',
      payload: NEW_CONFIG,
    });
    expect(put.statusCode).toBe(404);
  });

  it.each([
    ['a missing field', { poolUrl: NEW_CONFIG.poolUrl, powerTargetW: 2500 }, /fanMode/],
    ['an extra field', { ...NEW_CONFIG, colour: 'red' }, /additional properties \('colour'/],
    [
      'a number as a string',
      { ...NEW_CONFIG, powerTargetW: '2500' },
      /powerTargetW must be integer/,
    ],
    [
      'a power target out of range',
      { ...NEW_CONFIG, powerTargetW: 9000 },
      /powerTargetW must be <= 6000/,
    ],
    ['an unknown fan mode', { ...NEW_CONFIG, fanMode: 'turbo' }, /fanMode must be equal to one of/],
    [
      'a pool that is not stratum',
      { ...NEW_CONFIG, poolUrl: 'http://x' },
      /poolUrl must match.*stratum/,
    ],
  ])('PUT config refuses %s with a 400 and writes nothing', async (_what, payload, message) => {
    const fleet = await startFleet();
    const before = await fleet.app.inject('/miners/m-004/config');
    const put = await fleet.app.inject({ method: 'PUT', url: '/miners/m-004/config', payload });
    expect(put.statusCode).toBe(400);
    expect(json<{ message: string }>(put).message).toMatch(message);
    expect(fleet.source.calls.writeConfig).toBe(0);
    const after = await fleet.app.inject('/miners/m-004/config');
    expect(after.headers['x-cache']).toBe('HIT');
    expect(after.body).toBe(before.body);
  });

  it('PUT config writes through: the next GET is a hit with the new config, and the summary cascades', async () => {
    const fleet = await startFleet();
    const old = json<MinerConfig>(await fleet.app.inject('/miners/m-005/config'));
    const summaryBefore = json<FleetSummary>(await fleet.app.inject('/fleet/summary'));
    expect((await fleet.app.inject('/fleet/summary')).headers['x-cache']).toBe('HIT');

    const put = await fleet.app.inject({
      method: 'PUT',
      url: '/miners/m-005/config',
      payload: NEW_CONFIG,
    });
    expect(put.statusCode).toBe(200);
    expect(json<MinerConfig>(put)).toEqual(NEW_CONFIG);
    expect(fleet.source.calls.writeConfig).toBe(1);

    const configCalls = fleet.source.calls.config;
    const get = await fleet.app.inject('/miners/m-005/config');
    expect(get.headers['x-cache']).toBe('HIT');
    expect(json<MinerConfig>(get)).toEqual(NEW_CONFIG);
    expect(fleet.source.calls.config).toBe(configCalls);

    const summary = await fleet.app.inject('/fleet/summary');
    expect(summary.headers['x-cache']).toBe('MISS');
    expect(json<FleetSummary>(summary).totalPowerTargetW).toBe(
      summaryBefore.totalPowerTargetW - old.powerTargetW + NEW_CONFIG.powerTargetW,
    );
    expect(json<FleetSummary>(summary).fanModes.manual).toBe(summaryBefore.fanModes.manual + 1);
    expect(fleet.source.calls.summary).toBe(2);
  });

  it('serves Prometheus metrics from its own registry, and JSON stats', async () => {
    const fleet = await startFleet({ processMetrics: true });
    await fleet.app.inject('/miners/m-001/status');
    await fleet.app.inject('/miners/m-001/status');
    const metrics = await fleet.app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^cachekit_hits_total\{[^}]*\} 1$/m);
    expect(metrics.body).toMatch(/^cachekit_misses_total\{[^}]*\} 1$/m);
    expect(metrics.body).toMatch(/^process_cpu_user_seconds_total /m);
    const stats = json<{
      source: { total: number; calls: { status: number } };
      cache: { totals: { hits: number; misses: number; hitRatio: number } };
      http: { requests: number };
      instance: { store: string };
    }>(await fleet.app.inject('/stats'));
    expect(stats.instance.store).toBe('memory');
    expect(stats.source.calls.status).toBe(1);
    expect(stats.cache.totals).toMatchObject({ hits: 1, misses: 1, hitRatio: 0.5 });
    expect(stats.http.requests).toBe(2);
  });

  it('SSE: a miner stream starts with its status and delivers its changes; close() ends it', async () => {
    const fleet = await startFleet();
    const base = await fleet.app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await SseClient.open(`${base}/miners/m-003/status/stream`);
    try {
      const first = await stream.next();
      expect(first.event).toBe('status');
      expect(first.data).toMatchObject({ id: 'm-003' });
      await fleet.simulator.setStatus('m-007', { temperatureC: 80 }); // another miner: not sent
      const changed = await fleet.simulator.setStatus('m-003', {
        temperatureC: 91.5,
        online: true,
      });
      const next = await stream.next();
      expect(next).toEqual({ event: 'status', data: changed });
      await fleet.close();
      expect(await stream.ended()).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('SSE: the fleet stream sends a snapshot, then status and config changes', async () => {
    const fleet = await startFleet();
    const base = await fleet.app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await SseClient.open(`${base}/fleet/stream`);
    try {
      const snapshot = await stream.next();
      expect(snapshot.event).toBe('snapshot');
      expect((snapshot.data as { statuses: MinerStatus[] }).statuses).toHaveLength(12);
      const changed = await fleet.simulator.tick(0.5);
      expect(changed).toHaveLength(6);
      for (const status of changed)
        expect(await stream.next()).toEqual({ event: 'status', data: status });
      await fleet.app.inject({ method: 'PUT', url: '/miners/m-002/config', payload: NEW_CONFIG });
      expect(await stream.next((e) => e.event === 'config')).toEqual({
        event: 'config',
        data: { minerId: 'm-002', config: NEW_CONFIG },
      });
    } finally {
      stream.close();
    }
  });

  it('GET /miners/:minerId/status/stream of an unknown miner is a 404', async () => {
    const fleet = await startFleet();
    const response = await fleet.app.inject('/miners/nope/status/stream');
    expect(response.statusCode).toBe(404);
  });

  it('serves the dashboard and its assets itself, with content types, CSP and validators', async () => {
    const fleet = await startFleet();
    const page = await fleet.app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const urls = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) {
      expect(url.startsWith('/'), `${url} must come from the app itself`).toBe(true);
      const asset = await fleet.app.inject(url);
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers.etag).toMatch(/^"[\w-]+"$/);
      const again = await fleet.app.inject({
        url,
        headers: { 'if-none-match': String(asset.headers.etag) },
      });
      expect(again.statusCode).toBe(304);
    }
    const uplot = urls.find((url) => url.endsWith('uPlot.iife.min.js')) as string;
    expect(uplot).toMatch(/^\/assets\/vendor\/uplot-1\.6\.32\//);
    const script = await fleet.app.inject(uplot);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toMatch(/uPlot/);
    const css = await fleet.app.inject('/assets/dashboard.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });
});
