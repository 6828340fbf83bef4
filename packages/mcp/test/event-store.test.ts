import { randomUUID } from 'node:crypto';
import { CorruptEntryError, InvalidOptionError, StoreError } from '@cachekit/core';
import { findFreePort } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EventStoreClient,
  InvalidEventIdError,
  type RedisEventStoreOptions,
  redisEventStore,
} from '../src/event-store/index.js';

const GET_STREAM = '_GET_stream';

function standalone(): Redis {
  const { host, port } = redisFromInject().standalone;
  return new Redis({ host, port } as never);
}

function cluster(): Cluster {
  return new Cluster(redisFromInject().cluster.map(({ host, port }) => ({ host, port })));
}

/** A notification carrying `n`, so replays can be compared by value. */
const note = (n: number | string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: n },
});

/** A `send` callback that records what a replay delivered. */
function recorder(): {
  sent: Array<{ id: string; message: JSONRPCMessage }>;
  send: (id: string, message: JSONRPCMessage) => Promise<void>;
} {
  const sent: Array<{ id: string; message: JSONRPCMessage }> = [];
  return { sent, send: async (id, message) => void sent.push({ id, message }) };
}

const dataOf = (sent: Array<{ message: JSONRPCMessage }>): unknown[] =>
  sent.map(({ message }) => (message as unknown as { params: { data: unknown } }).params.data);

async function redisNowMs(client: Redis | Cluster): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

const clients = { standalone: standalone(), cluster: cluster() };
afterAll(async () => {
  await Promise.all(Object.values(clients).map((client) => client.quit()));
});

describe.each(['standalone', 'cluster'] as const)('redisEventStore on %s Redis', (kind) => {
  const client = clients[kind];
  const prefix = `test:mcp-events:${randomUUID()}`;
  const create = (options: Partial<RedisEventStoreOptions> = {}) =>
    redisEventStore({ client, prefix, maxAge: '1m', ...options });

  it('replays, in order, exactly the events after the given id', async () => {
    const store = create();
    const session = randomUUID();
    const events = store.forTransport(() => session);
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await events.storeEvent(GET_STREAM, note(n)));

    expect(new Set(ids).size).toBe(5);
    expect(ids[0]).toMatch(new RegExp(`^${session}\\._GET_stream\\.\\d+-\\d+$`));

    const after2 = recorder();
    await expect(events.replayEventsAfter(ids[1] as string, after2)).resolves.toBe(GET_STREAM);
    expect(dataOf(after2.sent)).toEqual([3, 4, 5]);
    expect(after2.sent.map(({ id }) => id)).toEqual(ids.slice(2));

    const afterLast = recorder();
    await events.replayEventsAfter(ids[4] as string, afterLast);
    expect(afterLast.sent).toEqual([]);
  });

  it('keeps priming events as cursors but never replays them', async () => {
    const store = create();
    const session = randomUUID();
    const events = store.forTransport(() => session);
    const stream = randomUUID();
    const priming = await events.storeEvent(stream, {} as JSONRPCMessage);
    const response: JSONRPCMessage = { jsonrpc: '2.0', id: 7, result: { ok: true } };
    const responseId = await events.storeEvent(stream, response);

    const replay = recorder();
    await expect(events.replayEventsAfter(priming, replay)).resolves.toBe(stream);
    expect(replay.sent).toEqual([{ id: responseId, message: response }]);
    expect(await client.xlen(store.key(session, stream))).toBe(2);
  });

  it("isolates sessions: '_GET_stream' of one session never replays another's events", async () => {
    const store = create();
    const [a, b] = [randomUUID(), randomUUID()];
    const eventsA = store.forTransport(() => a);
    const eventsB = store.forTransport(() => b);
    const firstA = await eventsA.storeEvent(GET_STREAM, note('a1'));
    const firstB = await eventsB.storeEvent(GET_STREAM, note('b1'));
    await eventsA.storeEvent(GET_STREAM, note('a2'));
    await eventsB.storeEvent(GET_STREAM, note('b2'));

    const replayA = recorder();
    await eventsA.replayEventsAfter(firstA, replayA);
    expect(dataOf(replayA.sent)).toEqual(['a2']);
    const replayB = recorder();
    await eventsB.replayEventsAfter(firstB, replayB);
    expect(dataOf(replayB.sent)).toEqual(['b2']);

    // A client of session B presenting session A's id gets nothing.
    const stolen = recorder();
    await expect(eventsB.replayEventsAfter(firstA, stolen)).rejects.toBeInstanceOf(
      InvalidEventIdError,
    );
    expect(stolen.sent).toEqual([]);
    expect(store.key(a, GET_STREAM)).not.toBe(store.key(b, GET_STREAM));
  });

  it('isolates stateless transports from each other', async () => {
    const store = create();
    const one = store.forTransport(() => undefined);
    const two = store.forTransport(() => undefined);
    const first = await one.storeEvent(GET_STREAM, note(1));
    await one.storeEvent(GET_STREAM, note(2));

    const own = recorder();
    await one.replayEventsAfter(first, own);
    expect(dataOf(own.sent)).toEqual([2]);
    const other = recorder();
    await expect(two.replayEventsAfter(first, other)).rejects.toBeInstanceOf(InvalidEventIdError);
    expect(other.sent).toEqual([]);
  });

  it('trims each stream to maxLength events', async () => {
    const store = create({ maxLength: 5 });
    const session = randomUUID();
    const events = store.forTransport(() => session);
    const ids: string[] = [];
    for (let n = 1; n <= 12; n++) ids.push(await events.storeEvent(GET_STREAM, note(n)));

    expect(await client.xlen(store.key(session, GET_STREAM))).toBe(5);
    // The client saw event 7 (trimmed since): nothing it missed was dropped.
    const replay = recorder();
    await events.replayEventsAfter(ids[6] as string, replay);
    expect(dataOf(replay.sent)).toEqual([8, 9, 10, 11, 12]);
    // The client saw event 1 only: 2 to 7 were trimmed. Refused, never a silent gap.
    const gap = recorder();
    const refused = await events.replayEventsAfter(ids[0] as string, gap).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidEventIdError);
    expect((refused as InvalidEventIdError).code).toBe('E_MCP_EVENT_ID');
    expect((refused as Error).message).toMatch(
      /trimmed.*reconnect without Last-Event-ID.*re-read/s,
    );
    expect(gap.sent).toEqual([]);
  });

  it('trims events older than maxAge by Redis time on write, and expires the key', async () => {
    const store = create({ maxAge: '10s' });
    const session = randomUUID();
    const key = store.key(session, GET_STREAM);
    const now = await redisNowMs(client);
    // Two events written "a minute ago" (explicit stream ids stand in for the passing time).
    await client.xadd(key, `${now - 60_000}-0`, 'm', JSON.stringify(note('old1')));
    await client.xadd(key, `${now - 59_000}-0`, 'm', JSON.stringify(note('old2')));
    const events = store.forTransport(() => session);
    const oldId = `${session}.${GET_STREAM}.${now - 60_000}-0`;

    await events.storeEvent(GET_STREAM, note('new'));

    expect(await client.xlen(key)).toBe(1);
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    // 'old2' came after 'old1' and was trimmed: resuming after 'old1' would skip it.
    const gap = recorder();
    await expect(events.replayEventsAfter(oldId, gap)).rejects.toMatchObject({
      code: 'E_MCP_EVENT_ID',
      message: expect.stringMatching(/trimmed/),
    });
    expect(gap.sent).toEqual([]);
    // Resuming after 'old2' (trimmed too, but nothing after it was): exactly 'new'.
    const replay = recorder();
    await events.replayEventsAfter(`${session}.${GET_STREAM}.${now - 59_000}-0`, replay);
    expect(dataOf(replay.sent)).toEqual(['new']);
  });

  it('never replays events older than maxAge, even before a write trims them', async () => {
    const store = create({ maxAge: '10s' });
    const session = randomUUID();
    const key = store.key(session, GET_STREAM);
    const now = await redisNowMs(client);
    await client.xadd(key, `${now - 60_000}-0`, 'm', JSON.stringify(note('old1')));
    await client.xadd(key, `${now - 30_000}-0`, 'm', JSON.stringify(note('old2')));
    await client.xadd(key, `${now - 1_000}-0`, 'm', JSON.stringify(note('recent')));
    const events = store.forTransport(() => session);

    // 'old2' follows the id given and is past maxAge: it would be skipped, so refuse.
    const gap = recorder();
    await expect(
      events.replayEventsAfter(`${session}.${GET_STREAM}.${now - 60_000}-0`, gap),
    ).rejects.toBeInstanceOf(InvalidEventIdError);
    expect(gap.sent).toEqual([]);
    const replay = recorder();
    await events.replayEventsAfter(`${session}.${GET_STREAM}.${now - 30_000}-0`, replay);
    expect(dataOf(replay.sent)).toEqual(['recent']);
    expect(replay.sent[0]?.id).toBe(`${session}.${GET_STREAM}.${now - 1_000}-0`);
  });

  it('refuses to resume after a gap: trimmed by maxLength, or the stream expired and began again', async () => {
    const store = create({ maxLength: 3 });
    const session = randomUUID();
    const events = store.forTransport(() => session);
    const key = store.key(session, GET_STREAM);
    const ids: string[] = [];
    for (let n = 1; n <= 4; n++) ids.push(await events.storeEvent(GET_STREAM, note(n)));
    // 1 was trimmed but nothing after it: fine.
    const full = recorder();
    await events.replayEventsAfter(ids[0] as string, full);
    expect(dataOf(full.sent)).toEqual([2, 3, 4]);
    await events.storeEvent(GET_STREAM, note(5));
    await expect(events.replayEventsAfter(ids[0] as string, recorder())).rejects.toBeInstanceOf(
      InvalidEventIdError,
    );
    // The stream expired (no write for maxAge) and a new one began: 4 may have followed 3 unseen.
    await client.del(key);
    await events.storeEvent(GET_STREAM, note(6));
    await expect(events.replayEventsAfter(ids[2] as string, recorder())).rejects.toBeInstanceOf(
      InvalidEventIdError,
    );
  });

  it('refuses malformed event ids without replaying anything', async () => {
    const store = create();
    const session = randomUUID();
    const events = store.forTransport(() => session);
    await events.storeEvent(GET_STREAM, note(1));
    const bad = [
      '',
      'garbage',
      `${session}.${GET_STREAM}`,
      `${session}.${GET_STREAM}.1-0.extra`,
      `${session}.${GET_STREAM}.abc`,
      `${session}.${GET_STREAM}.99999999999999999-0`,
      `${session}.bad:stream.1-0`,
      `${session}.~%%%.1-0`,
      `${session}.~X19HRVRfc3RyZWFt.1-0`, // '_GET_stream' encoded although it needs no encoding
      `${'x'.repeat(2000)}.${GET_STREAM}.1-0`,
    ];
    for (const id of bad) {
      const replay = recorder();
      await expect(events.replayEventsAfter(id, replay), id).rejects.toMatchObject({
        code: InvalidEventIdError.code,
      });
      expect(replay.sent).toEqual([]);
    }
  });

  it('round-trips session and stream ids that are unsafe in keys and SSE ids', async () => {
    const store = create();
    const session = `we.ird}:{${randomUUID()}\n`;
    const events = store.forTransport(() => session);
    const first = await events.storeEvent('str.eam:1', note(1));
    await events.storeEvent('str.eam:1', note(2));

    expect(first).not.toMatch(/[\s{}:]/);
    const replay = recorder();
    await expect(events.replayEventsAfter(first, replay)).resolves.toBe('str.eam:1');
    expect(dataOf(replay.sent)).toEqual([2]);
    // Distinct ids never share a key, whatever characters they contain.
    expect(store.key('a}:x', 'y')).not.toBe(store.key('a', 'x}:y'));
  });

  it('skips and reports a stored entry that is not JSON', async () => {
    const errors: unknown[] = [];
    const store = create({ onError: (error) => void errors.push(error) });
    const session = randomUUID();
    const events = store.forTransport(() => session);
    const first = await events.storeEvent(GET_STREAM, note(1));
    await client.xadd(store.key(session, GET_STREAM), '*', 'm', '{not json');
    await events.storeEvent(GET_STREAM, note(3));

    const replay = recorder();
    await events.replayEventsAfter(first, replay);
    expect(dataOf(replay.sent)).toEqual([3]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CorruptEntryError);
  });

  it('puts every stream of one session under one hash tag, and each session under its own', async () => {
    const store = create();
    const [session, other] = [randomUUID(), randomUUID()];
    const tag = (key: string) => /^\{([^}]+)\}/.exec(key)?.[1];
    expect(store.key(session, GET_STREAM)).toBe(`{${prefix}:${session}}:${GET_STREAM}`);
    expect(tag(store.key(session, randomUUID()))).toBe(`${prefix}:${session}`);
    expect(tag(store.key(session, 'str}eam{'))).toBe(`${prefix}:${session}`);
    expect(tag(store.key(other, GET_STREAM))).toBe(`${prefix}:${other}`);
    // The streams of one session are written and replayed with single-key commands: this works
    // on a standalone server and on a cluster alike.
    const events = store.forTransport(() => session);
    const first = await events.storeEvent('stream-a', note('a1'));
    await events.storeEvent('stream-b', note('b1'));
    await events.storeEvent('stream-a', note('a2'));
    const replay = recorder();
    await expect(events.replayEventsAfter(first, replay)).resolves.toBe('stream-a');
    expect(dataOf(replay.sent)).toEqual(['a2']);
  });
});

describe('redisEventStore on a Redis Cluster', () => {
  it('gives all streams of one session one hash slot (CLUSTER KEYSLOT)', async () => {
    const client = clients.cluster;
    const store = redisEventStore({ client, prefix: `test:mcp-events:${randomUUID()}` });
    const session = randomUUID();
    const slot = (key: string) => client.cluster('KEYSLOT', key) as Promise<number>;
    const slots = new Set<number>();
    for (const stream of [GET_STREAM, randomUUID(), 'str}eam{']) {
      slots.add(await slot(store.key(session, stream)));
    }
    expect(slots.size).toBe(1);
    expect([...slots][0]).toBe(await slot(`{${store.prefix}:${session}}`));
  });
});

describe('redisEventStore when Redis fails', () => {
  it('stores fail open (no event id, error reported) and replays reject with StoreError', async () => {
    const port = await findFreePort();
    const down = new Redis({
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    } as never);
    const errors: unknown[] = [];
    const store = redisEventStore({ client: down, onError: (error) => void errors.push(error) });
    const events = store.forTransport(() => 'session');

    await expect(events.storeEvent(GET_STREAM, note(1))).resolves.toBe('');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StoreError);

    const replay = recorder();
    await expect(
      events.replayEventsAfter(`session.${GET_STREAM}.1-0`, replay),
    ).rejects.toBeInstanceOf(StoreError);
    expect(replay.sent).toEqual([]);
    down.disconnect();
  });
});

describe('redisEventStore options', () => {
  const client = clients.standalone;
  it.each([
    ['no client', {}],
    ['a node-redis-like client', { client: { xAdd() {}, xRange() {} } }],
    ['a prefix with a brace', { client, prefix: 'mcp:{events}' }],
    ['an empty prefix', { client, prefix: '' }],
    ['maxLength 0', { client, maxLength: 0 }],
    ['a fractional maxLength', { client, maxLength: 1.5 }],
    ['maxAge 0', { client, maxAge: 0 }],
    ['an unreadable maxAge', { client, maxAge: 'soon' }],
  ])('rejects %s with InvalidOptionError', (_, options) => {
    expect(() => redisEventStore(options as RedisEventStoreOptions)).toThrow(InvalidOptionError);
  });

  it('applies the documented defaults', () => {
    const store = redisEventStore({ client: client as EventStoreClient });
    expect({ prefix: store.prefix, maxLength: store.maxLength, maxAgeMs: store.maxAgeMs }).toEqual({
      prefix: 'mcp:events',
      maxLength: 1000,
      maxAgeMs: 3_600_000,
    });
  });
});
