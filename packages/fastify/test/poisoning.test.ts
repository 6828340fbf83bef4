import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { FILL_HEADER } from '../src/index.js';
import { cachedApp, counter } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Reflects what an app typically builds links from: a poisoning target if the cache keyed on less. */
function reflect(request: FastifyRequest) {
  return {
    link: `${request.protocol}://${request.host}/next`,
    forwardedHost: request.headers['x-forwarded-host'] ?? null,
    ip: request.ip,
  };
}

const EVIL = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '6.6.6.6',
};

async function reflectingApp(vary?: string[]) {
  const state = counter((request) => reflect(request as FastifyRequest));
  const cache = { ttl: '1m' as const, ...(vary === undefined ? {} : { vary }) };
  ({ app } = await cachedApp(
    (a) => a.get('/page', { config: { cache } }, state.handler),
    {},
    { trustProxy: true },
  ));
  return state;
}

describe('unkeyed headers cannot poison the cache', () => {
  it('Host and X-Forwarded-* never reach the cached response (inject)', async () => {
    const state = await reflectingApp();
    const first = await app?.inject({ url: '/page', headers: EVIL });
    expect(first?.headers['x-cache']).toBe('MISS');
    expect(first?.payload).not.toContain('evil');
    expect(first?.payload).not.toContain('6.6.6.6');
    const next = await app?.inject({ url: '/page', headers: { host: 'good.example' } });
    expect(next?.headers['x-cache']).toBe('HIT');
    expect(next?.json()).toEqual(first?.json());
    expect(next?.json().forwardedHost).toBeNull();
    expect(state.calls).toBe(1);
  });

  it('X-Forwarded-Host over real HTTP', async () => {
    await reflectingApp();
    const base = await app?.listen({ port: 0, host: '127.0.0.1' });
    const first = await fetch(`${base}/page`, {
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    const poisoned = await first.text();
    expect(poisoned).not.toContain('evil');
    expect(poisoned).not.toContain('https');
    const next = await fetch(`${base}/page`);
    expect(next.headers.get('x-cache')).toBe('HIT');
    expect(await next.text()).toBe(poisoned);
  });

  it('a header listed in vary is forwarded and keyed: it only ever reaches its own entry', async () => {
    const state = await reflectingApp(['x-forwarded-host']);
    const evil = await app?.inject({ url: '/page', headers: EVIL });
    expect(evil?.json().forwardedHost).toBe('evil.example');
    const good = await app?.inject('/page');
    expect(good?.headers['x-cache']).toBe('MISS');
    expect(good?.json().forwardedHost).toBeNull();
    expect(good?.payload).not.toContain('evil');
    expect(state.calls).toBe(2);
  });

  it('a client cannot pass for a fill request', async () => {
    const state = await reflectingApp();
    await app?.inject('/page');
    for (const token of ['1', 'true', '00000000-0000-4000-8000-000000000000']) {
      const response = await app?.inject({ url: '/page', headers: { [FILL_HEADER]: token } });
      expect(response?.headers['x-cache']).toBe('HIT');
    }
    expect(state.calls).toBe(1);
  });
});
