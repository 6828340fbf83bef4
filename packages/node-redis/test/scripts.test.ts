import { randomUUID } from 'node:crypto';
import type { Store } from '@cachekit/core';
import { waitFor } from '@cachekit/core/testing';
import { nodeRedisStore } from '@cachekit/node-redis';
import { type RedisServerHandle, sendCommand, startRedisServer } from '@cachekit/redis-testkit';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SCRIPT FLUSH would disturb other packages' tests on the shared server: use a private one.
let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
}, 20_000);

afterAll(async () => {
  await server?.stop();
});

async function scriptCount(): Promise<number> {
  const memory = await sendCommand(server, ['INFO', 'memory']);
  const match = /number_of_cached_scripts:(\d+)/.exec(String(memory));
  return Number(match?.[1]);
}

async function exerciseScripts(store: Store): Promise<void> {
  const prefix = `ck-scripts:${randomUUID()}:`;
  const [generation] = await store.bumpGenerations([`${prefix}g`], 60_000);
  expect(generation).toMatch(/^\d+$/);
  await expect(
    store.setIfGenerations(`${prefix}e`, 'v', 60_000, [
      { key: `${prefix}g`, generation: generation as string },
    ]),
  ).resolves.toBe(true);
  await expect(store.get(`${prefix}e`)).resolves.toBe('v');
  await expect(store.acquireLock(`${prefix}lock`, 'A', 60_000)).resolves.toBe(true);
  await expect(store.releaseLock(`${prefix}lock`, 'B')).resolves.toBe(false);
  await expect(store.get(`${prefix}lock`)).resolves.toBe('A');
  await expect(store.releaseLock(`${prefix}lock`, 'A')).resolves.toBe(true);
  await expect(store.get(`${prefix}lock`)).resolves.toBe(undefined);
}

async function expectSurvivesScriptFlush(store: Store): Promise<void> {
  await exerciseScripts(store);
  expect(await scriptCount()).toBeGreaterThan(0);
  await sendCommand(server, ['SCRIPT', 'FLUSH', 'SYNC']);
  expect(await scriptCount()).toBe(0);
  await exerciseScripts(store);
  // EVALSHA failed with NOSCRIPT and EVAL cached the three scripts again.
  expect(await scriptCount()).toBe(3);
}

describe('scripts survive SCRIPT FLUSH', () => {
  it('with a user client', async () => {
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      await expectSurvivesScriptFlush(nodeRedisStore({ client }));
    } finally {
      await client.close();
    }
  });

  it('with a client the store created', async () => {
    const store = nodeRedisStore({ url: server.url });
    try {
      await expectSurvivesScriptFlush(store);
    } finally {
      await store.close();
    }
  });
});

describe('generations', () => {
  const store = (): Store => nodeRedisStore({ url: server.url });

  it('are exact integers: max(server time in µs, current + 1), with the TTL', async () => {
    const subject = store();
    const prefix = `ck-gen:${randomUUID()}:`;
    try {
      const before = Date.now() * 1000;
      const fresh = await subject.bumpGenerations([`${prefix}a`, `${prefix}b`], 30_000);
      const after = Date.now() * 1000;
      for (const generation of fresh) {
        expect(generation).toMatch(/^[1-9]\d{15}$/);
        // Server and test share one clock; allow 1 ms of rounding.
        expect(Number(generation)).toBeGreaterThanOrEqual(before - 1000);
        expect(Number(generation)).toBeLessThanOrEqual(after + 1000);
      }
      // Above the clock: exactly current + 1, with no float formatting ('9.007e+15') anywhere.
      const high = '9007199254740000';
      await subject.set(`${prefix}a`, high, 30_000);
      const [bumped] = await subject.bumpGenerations([`${prefix}a`], 45_000);
      expect(bumped).toBe('9007199254740001');
      await expect(subject.get(`${prefix}a`)).resolves.toBe('9007199254740001');
      const pttl = Number(await sendCommand(server, ['PTTL', `${prefix}a`]));
      expect(pttl).toBeGreaterThan(40_000);
      expect(pttl).toBeLessThanOrEqual(45_000);
      // Repeated bumps never repeat a value, even within one microsecond.
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const [next] = await subject.bumpGenerations([`${prefix}b`], 30_000);
        expect(seen.has(next as string)).toBe(false);
        seen.add(next as string);
      }
    } finally {
      await subject.close();
    }
  });
});

describe('close()', () => {
  async function clientNames(): Promise<string> {
    return String(await sendCommand(server, ['CLIENT', 'LIST']));
  }

  it('leaves a user client open', async () => {
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      const store = nodeRedisStore({ client });
      await store.set(`ck-close:${randomUUID()}`, 'v', 10_000);
      await store.close();
      await store.close();
      expect(client.isOpen).toBe(true);
      await expect(client.ping()).resolves.toBe('PONG');
    } finally {
      await client.close();
    }
  });

  it('closes the client it created, once', async () => {
    const name = `ck-created-${randomUUID()}`;
    const store = nodeRedisStore({ url: server.url, clientOptions: { name } });
    await store.set(`ck-close:${randomUUID()}`, 'v', 10_000);
    expect(await clientNames()).toContain(`name=${name}`);
    await Promise.all([store.close(), store.close()]);
    await store.close();
    await waitFor(async () => !(await clientNames()).includes(`name=${name}`), {
      message: 'the created connection to disappear from CLIENT LIST',
    });
    await expect(store.get('any')).rejects.toThrow();
  });
});
