import { type CacheError, EPHEMERAL } from '@cachekit/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalJson, createMcpHub, UnhashableInputError } from '../src/index.js';
import {
  closeAfterEach,
  configUri,
  connect,
  FleetSource,
  recordingCache,
  registerFleet,
  SUMMARY_URI,
  statusUri,
  text,
  until,
} from './helpers.js';

const open = closeAfterEach();

async function fleet(options: { maxInputBytes?: number } = {}) {
  const { cache, sets } = recordingCache();
  const hub = createMcpHub({ cache, ...options });
  const source = new FleetSource();
  open.hub = hub;
  const agent = await connect(hub, (session) => registerFleet(session, source));
  open.connections.push(agent);
  return { hub, source, agent, sets, client: agent.client };
}

const firstText = (result: unknown): string =>
  ((result as CallToolResult).content[0] as { text: string }).text;

describe('cached tools', () => {
  it('caches a read-only tool by the canonical hash of its validated input', async () => {
    const { client, source, sets } = await fleet();
    const call = (args: Record<string, unknown>) =>
      client.callTool({ name: 'miner_stats', arguments: args });
    const first = await call({ minerIds: ['m1', 'm2'], window: { from: 1, to: 2 } });
    // Same input, keys in another order: the same entry.
    const again = await call({ window: { to: 2, from: 1 }, minerIds: ['m1', 'm2'] });
    expect(source.calls.stats).toBe(1);
    expect(firstText(again)).toBe(firstText(first));
    expect(firstText(first)).toBe('201');
    // Different input: another entry.
    await call({ minerIds: ['m2', 'm1'], window: { from: 1, to: 2 } });
    expect(source.calls.stats).toBe(2);
    expect(sets.filter((key) => key.includes(':tool:'))).toHaveLength(2);
  });

  it('never caches isError results', async () => {
    const { client, source, sets } = await fleet();
    for (let i = 0; i < 2; i++) {
      const result = await client.callTool({
        name: 'miner_stats',
        arguments: { minerIds: ['m404'], window: { from: 1, to: 2 } },
      });
      expect(result.isError).toBe(true);
    }
    expect(source.calls.stats).toBe(2);
    expect(sets).toEqual([]);
  });

  it('refuses invalid input as a tool error without calling the handler; keeps serving', async () => {
    const { client, source, sets } = await fleet();
    const result = await client.callTool({
      name: 'miner_stats',
      arguments: { minerIds: 'm1', window: { from: 'yesterday' } },
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/Input validation error/);
    expect(source.calls.stats).toBe(0);
    expect(sets).toEqual([]);
    const ok = await client.callTool({
      name: 'miner_stats',
      arguments: { minerIds: ['m1'], window: { from: 1, to: 2 } },
    });
    expect(firstText(ok)).toBe('100');
  });

  it('refuses oversized input without calling the handler or caching; keeps serving', async () => {
    const { client, source, sets } = await fleet({ maxInputBytes: 1_024 });
    const minerIds = Array.from({ length: 200 }, (_, i) => `miner-${i}`);
    const result = await client.callTool({
      name: 'miner_stats',
      arguments: { minerIds, window: { from: 1, to: 2 } },
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/more than the limit of 1024: send a smaller input/);
    expect(source.calls.stats).toBe(0);
    expect(sets).toEqual([]);
    const ok = await client.callTool({
      name: 'miner_stats',
      arguments: { minerIds: ['m3'], window: { from: 1, to: 2 } },
    });
    expect(firstText(ok)).toBe('102');
  });

  it('a mutating tool invalidates its URIs and notifies subscribers, only after success', async () => {
    const { client, source, agent } = await fleet();
    expect(text(await client.readResource({ uri: configUri('m1') }))).toEqual({ fanSpeed: 50 });
    expect(text(await client.readResource({ uri: SUMMARY_URI }))).toMatchObject({
      fans: [50, 50, 50],
    });
    await client.subscribeResource({ uri: configUri('m1') });
    await client.subscribeResource({ uri: SUMMARY_URI });
    await client.subscribeResource({ uri: statusUri('m1') });

    const failed = await client.callTool({
      name: 'update_miner_config',
      arguments: { minerId: 'm404', fanSpeed: 80 },
    });
    expect(failed.isError).toBe(true);

    const updated = await client.callTool({
      name: 'update_miner_config',
      arguments: { minerId: 'm1', fanSpeed: 80 },
    });
    expect(updated.isError).toBeFalsy();
    await until(() => agent.updates.length >= 2, 'two notifications');
    // Nothing for the failed call (it came first), one each for the config and the summary.
    expect(agent.updates).toEqual([configUri('m1'), SUMMARY_URI]);
    expect(text(await client.readResource({ uri: configUri('m1') }))).toEqual({ fanSpeed: 80 });
    expect(text(await client.readResource({ uri: SUMMARY_URI }))).toMatchObject({
      fans: [80, 50, 50],
    });
    expect(source.calls.config).toBe(2);
    expect(source.calls.summary).toBe(2);
  });

  it('refuses cache and invalidates together, at registration', async () => {
    const hub = createMcpHub({ cache: recordingCache().cache });
    open.hub = hub;
    await expect(
      connect(hub, (session) => {
        session.tool('both', { inputSchema: { id: z.string() } }, async () => ({ content: [] }), {
          cache: {},
          invalidates: { uris: () => [] },
        });
      }),
    ).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
  });

  it('never caches a tool whose validated input holds a Set: different inputs never share a result', async () => {
    const errors: CacheError[] = [];
    const { cache, sets } = recordingCache();
    const hub = createMcpHub({ cache, onError: (error) => errors.push(error) });
    open.hub = hub;
    let calls = 0;
    const agent = await connect(hub, (session) => {
      session.tool(
        'echo_ids',
        { inputSchema: { ids: z.array(z.string()).transform((ids) => new Set(ids)) } },
        async ({ ids }) => {
          calls++;
          return { content: [{ type: 'text', text: [...ids].join(',') }] };
        },
        { cache: { policy: EPHEMERAL } },
      );
    });
    open.connections.push(agent);
    const call = (ids: string[]) => agent.client.callTool({ name: 'echo_ids', arguments: { ids } });
    expect(firstText(await call(['a']))).toBe('a');
    expect(firstText(await call(['b']))).toBe('b');
    expect(firstText(await call(['b']))).toBe('b');
    expect(calls).toBe(3);
    expect(sets).toEqual([]);
    // Reported once per tool, with what to do.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnhashableInputError);
    expect(errors[0]?.message).toMatch(/"echo_ids" is not cached: Cannot hash a Set at \$\.ids/);
  });

  it('canonicalJson refuses values without a stable JSON form instead of hashing them as {}', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    for (const value of [
      new Set([1]),
      new Map([['a', 1]]),
      { nested: [new Point(1)] },
      new Uint8Array([1]),
      /re/,
    ]) {
      expect(() => canonicalJson(value)).toThrow(UnhashableInputError);
    }
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(UnhashableInputError);
    // Plain objects (any prototype-less ones too), arrays, toJSON values: fine.
    const bare = Object.assign(Object.create(null) as object, { b: 2, a: 1 });
    expect(canonicalJson({ bare, url: new URL('https://x/'), list: [1] })).toBe(
      '{"bare":{"a":1,"b":2},"list":[1],"url":"https://x/"}',
    );
  });

  it('canonicalJson sorts keys at every level and skips undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined, w: 3 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"w":3,"y":2}]},"b":1}',
    );
    expect(canonicalJson({ big: 10n, when: new Date(0) })).toBe(
      '{"big":{"$bigint":"10"},"when":"1970-01-01T00:00:00.000Z"}',
    );
  });
});
