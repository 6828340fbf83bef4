import { createCache } from '@cachekit/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRoute } from '../src/route-config.js';
import { cachedApp, deferred, fakeDate } from './helpers.js';

let app: FastifyInstance | undefined;
let clock: ReturnType<typeof fakeDate> | undefined;
afterEach(async () => {
  clock?.restore();
  clock = undefined;
  await app?.close();
  app = undefined;
});

interface LogLine {
  level: number;
  msg: string;
  route?: string;
  reason?: string;
}

/** A logger writing to `lines` (Fastify's pino, warn and above). */
function capture(lines: LogLine[]) {
  return {
    logger: {
      level: 'warn',
      stream: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
    },
  };
}

const warnings = (lines: LogLine[]) => lines.filter((line) => /cachekit: fill/.test(line.msg));

describe('fill failures are logged and remembered', () => {
  it('a hook that rejects fills with a 5xx: warned once per route per minute, fills skipped for a while', async () => {
    clock = fakeDate();
    const lines: LogLine[] = [];
    const seen = { hooks: 0, calls: 0 };
    ({ app } = await cachedApp(
      (a) =>
        a.get(
          '/p',
          {
            // Needs a header the fill does not carry: the fill gets a 500.
            onRequest: async (request) => {
              seen.hooks++;
              (request.headers['x-tenant'] as string).toLowerCase();
            },
            config: { cache: { ttl: '1m' } },
          },
          async () => ({ n: ++seen.calls }),
        ),
      {},
      capture(lines),
    ));
    const request = { url: '/p', headers: { 'x-tenant': 't1' } };
    for (let i = 1; i <= 5; i++) {
      const response = await app.inject(request);
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-cache']).toBe('BYPASS');
      expect(response.json()).toEqual({ n: i });
    }
    // One fill (its hook chain ran once), then hit-for-pass: each request ran only its own.
    expect(seen.hooks).toBe(6);
    expect(warnings(lines)).toHaveLength(1);
    expect(warnings(lines)[0]).toMatchObject({ level: 40, route: 'GET /p', reason: 'status 500' });
    // The verdict is short: the cache is tried again (and fails again), not logged again.
    clock.advance(2_000);
    await app.inject(request);
    expect(seen.hooks).toBe(8);
    expect(warnings(lines)).toHaveLength(1);
    clock.advance(60_000);
    await app.inject(request);
    expect(seen.hooks).toBe(10);
    expect(warnings(lines)).toHaveLength(2);
  });

  it('a fill that lands on another route is warned about', async () => {
    const lines: LogLine[] = [];
    ({ app } = await cachedApp(
      (a) => {
        a.get('/page', { config: { cache: { ttl: '1m' } } }, async () => 'page');
        a.get('/other', async () => 'other');
      },
      {},
      {
        ...capture(lines),
        rewriteUrl: (request) =>
          request.headers['x-site'] === 'a' ? (request.url ?? '/') : '/other',
      },
    ));
    const response = await app.inject({ url: '/page', headers: { 'x-site': 'a' } });
    expect(response.payload).toBe('page');
    expect(warnings(lines)).toHaveLength(1);
    expect(warnings(lines)[0]?.reason).toMatch(/another route/);
  });
});

describe('fillTimeout', () => {
  it('a fill that hangs past it fails open: every waiting request runs its own handler', async () => {
    const lines: LogLine[] = [];
    const gate = deferred();
    let calls = 0;
    ({ app } = await cachedApp(
      (a) =>
        a.get('/slow', { config: { cache: { ttl: '1m', fillTimeout: 50 } } }, async () => {
          const call = ++calls;
          if (call === 1) await gate.promise; // the fill never answers (until the test ends)
          return { call };
        }),
      {},
      capture(lines),
    ));
    try {
      const responses = await Promise.all(Array.from({ length: 3 }, () => app?.inject('/slow')));
      for (const response of responses) {
        expect(response?.statusCode).toBe(200);
        expect(response?.headers['x-cache']).toBe('BYPASS');
        expect(response?.json().call).toBeGreaterThan(1);
      }
      expect(calls).toBe(4);
      expect(warnings(lines)[0]?.reason).toMatch(/fillTimeout/);
    } finally {
      gate.resolve();
    }
  });

  it("defaults to 30 s, set as the loader's hardTimeout", () => {
    const cache = createCache();
    expect(compileRoute({ ttl: '1m' }, 'GET /x', cache, undefined).options.hardTimeout).toBe(
      30_000,
    );
    expect(
      compileRoute({ ttl: '1m', fillTimeout: '2s' }, 'GET /x', cache, undefined).options
        .hardTimeout,
    ).toBe(2_000);
  });
});
