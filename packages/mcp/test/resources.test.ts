import { EPHEMERAL } from '@cachekit/core';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createMcpHub } from '../src/index.js';
import {
  type Connection,
  closeAfterEach,
  connect,
  FleetSource,
  recordingCache,
  registerFleet,
  SUMMARY_URI,
  statusUri,
  text,
} from './helpers.js';

const open = closeAfterEach();

async function fleet() {
  const { cache, sets } = recordingCache();
  const hub = createMcpHub({ cache });
  const source = new FleetSource();
  const connection = await connect(hub, (session) => registerFleet(session, source));
  open.hub = hub;
  open.connections.push(connection);
  return { cache, sets, hub, source, client: connection.client };
}

describe('cached resources', () => {
  it('reads a fixed resource from the source once, then from the cache', async () => {
    const { client, source, sets } = await fleet();
    const first = await client.readResource({ uri: SUMMARY_URI });
    const second = await client.readResource({ uri: SUMMARY_URI });
    expect(source.calls.summary).toBe(1);
    expect(second).toEqual(first);
    expect(text(second)).toEqual({ miners: 3, fans: [50, 50, 50] });
    expect(sets).toHaveLength(1);
  });

  it('keys template reads by their variables: two miners, two entries, two source calls', async () => {
    const { client, source, sets } = await fleet();
    const m1 = await client.readResource({ uri: statusUri('m1') });
    const m2 = await client.readResource({ uri: statusUri('m2') });
    await client.readResource({ uri: statusUri('m1') });
    await client.readResource({ uri: statusUri('m2') });
    expect(source.calls.status).toBe(2);
    expect(text(m1)).toMatchObject({ hashrate: 100 });
    expect(text(m2)).toMatchObject({ hashrate: 101 });
    expect(new Set(sets).size).toBe(2);
  });

  it('canonicalises percent-encoded variables: m1 and %6D%31 are one entry', async () => {
    const { client, source } = await fleet();
    const plain = await client.readResource({ uri: statusUri('m1') });
    const encoded = await client.readResource({ uri: statusUri('%6D%31') });
    expect(source.calls.status).toBe(1);
    expect(encoded).toEqual(plain);
    expect(plain.contents[0]?.uri).toBe(statusUri('m1'));
  });

  it('keeps annotations.lastModified from the source data, on a miss and on a hit', async () => {
    const { client, source } = await fleet();
    const miss = await client.listResources();
    // The source's timestamp, not the time of the cache write (which is now).
    const changedAt = '2024-05-01T10:00:00.000Z';
    source.status.set('m1', { hashrate: 1, changedAt: '2030-01-01T00:00:00.000Z' });
    const hit = await client.listResources();
    expect(source.calls.list).toBe(1);
    for (const result of [miss, hit]) {
      const m1 = result.resources.find((resource) => resource.uri === statusUri('m1'));
      expect(m1?.annotations?.lastModified).toBe(changedAt);
    }
  });

  it('never caches a read that throws; the server keeps serving', async () => {
    const { client, source, sets } = await fleet();
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(client.readResource({ uri: statusUri('nope') })).rejects.toThrow(
        /Unknown miner nope/,
      );
    }
    expect(source.calls.status).toBe(2);
    expect(sets).toEqual([]);
    expect(text(await client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 100,
    });
  });

  it('never caches a read result flagged isError', async () => {
    const { cache, sets } = recordingCache();
    const hub = createMcpHub({ cache });
    open.hub = hub;
    let calls = 0;
    const connection = await connect(hub, (session) => {
      session.resource(
        'flaky',
        'test:///flaky',
        {},
        async (uri) => {
          calls++;
          return { contents: [{ uri: uri.href, text: 'upstream down' }], isError: true };
        },
        { policy: EPHEMERAL },
      );
    });
    open.connections.push(connection);
    await connection.client.readResource({ uri: 'test:///flaky' });
    await connection.client.readResource({ uri: 'test:///flaky' });
    expect(calls).toBe(2);
    expect(sets).toEqual([]);
  });

  it('refuses malformed and invalid template variables with InvalidParams, caching nothing', async () => {
    const { client, source, sets } = await fleet();
    for (const bad of ['%E0%A4%A', 'bad%21id', '%20']) {
      const failure = await client.readResource({ uri: statusUri(bad) }).catch((error) => error);
      expect(failure).toBeInstanceOf(McpError);
      expect((failure as McpError).code).toBe(-32602);
      expect((failure as McpError).message).toMatch(/template variable "minerId"/);
    }
    expect(source.calls.status).toBe(0);
    expect(sets).toEqual([]);
    expect(text(await client.readResource({ uri: statusUri('m2') }))).toMatchObject({
      hashrate: 101,
    });
  });

  it("answers unknown URIs with the SDK's own error and keeps serving", async () => {
    const { client, sets } = await fleet();
    const failure = await client
      .readResource({ uri: 'braiins:///nothing/here' })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(McpError);
    expect((failure as McpError).message).toMatch(/Resource braiins:\/\/\/nothing\/here not found/);
    expect(sets).toEqual([]);
    expect(text(await client.readResource({ uri: SUMMARY_URI }))).toMatchObject({ miners: 3 });
  });

  it('caches template list results under their own key; completions are never cached', async () => {
    const { client, source, sets } = await fleet();
    const first = await client.listResources();
    const second = await client.listResources();
    expect(source.calls.list).toBe(1);
    expect(second).toEqual(first);
    expect(first.resources.map((resource) => resource.uri)).toContain(statusUri('m2'));
    expect(sets.filter((key) => key.includes(':list:'))).toHaveLength(1);
    const ref = { type: 'ref/resource' as const, uri: 'braiins:///miner/{minerId}/status' };
    const before = await client.complete({ ref, argument: { name: 'minerId', value: 'm' } });
    expect(before.completion.values).toEqual(['m1', 'm2', 'm3']);
    source.status.set('m4', { hashrate: 1, changedAt: '2024-05-02T00:00:00.000Z' });
    const after = await client.complete({ ref, argument: { name: 'minerId', value: 'm' } });
    expect(after.completion.values).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('resourceListChanged drops cached list results and tells every session', async () => {
    const { client, source, hub } = await fleet();
    const other = await connect(hub, (session) => registerFleet(session, source));
    open.connections.push(other);
    await client.listResources();
    source.status.set('m9', { hashrate: 9, changedAt: '2024-05-02T00:00:00.000Z' });
    await hub.resourceListChanged();
    const listed = await client.listResources();
    expect(source.calls.list).toBe(2);
    expect(listed.resources.map((resource) => resource.uri)).toContain(statusUri('m9'));
    const [first] = open.connections as [Connection];
    await waitUntil(() => first.listChanges.count >= 1 && other.listChanges.count >= 1);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  const { waitFor } = await import('@cachekit/redis-testkit');
  await waitFor(() => check(), { timeoutMs: 2_000, intervalMs: 5 });
}
