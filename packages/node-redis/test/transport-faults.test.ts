import type { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TransportHandlers } from '@cachekit/core';
import { waitFor } from '@cachekit/core/testing';
import { type NodeRedisPubSubClient, nodeRedisTransport } from '@cachekit/node-redis';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

// A private server: these tests kill every pub/sub connection on it (CLIENT KILL TYPE pubsub).
let server: RedisServerHandle;
let killer: ReturnType<typeof createClient>;
const opened: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  server = await startRedisServer();
  killer = createClient({ socket: { host: server.host, port: server.port } });
  await killer.connect();
}, 20_000);

afterEach(() => {
  for (const client of opened.splice(0)) client.destroy();
});

afterAll(async () => {
  killer?.destroy();
  await server?.stop();
});

/** A connected client; by default it reconnects at once (the kills below are not outages). */
async function client(reconnectStrategy: false | (() => number) = () => 1, name?: string) {
  const redis = createClient({
    socket: { host: server.host, port: server.port, reconnectStrategy },
    ...(name === undefined ? {} : { name }),
  });
  redis.on('error', () => {});
  opened.push(redis);
  await redis.connect();
  return redis;
}

interface Recorder {
  readonly handlers: TransportHandlers;
  readonly received: string[];
  /** Error messages by count (kept as counts: the leak test must not retain 200 errors). */
  readonly errors: Map<string, number>;
  reconnects(): number;
}

function recorder(onReconnect: () => void = () => {}): Recorder {
  const received: string[] = [];
  const errors = new Map<string, number>();
  let reconnects = 0;
  return {
    handlers: {
      message: (_channel, message) => received.push(message),
      reconnect: () => {
        reconnects += 1;
        onReconnect();
      },
      error: (error) => errors.set(error.message, (errors.get(error.message) ?? 0) + 1),
    },
    received,
    errors,
    reconnects: () => reconnects,
  };
}

const killPubSub = async (): Promise<number> =>
  Number(await killer.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']));

/** Connections named `name`: the user's client and the transport's duplicate of it. */
const connectionCount = async (name: string): Promise<number> =>
  String(await killer.sendCommand(['CLIENT', 'LIST']))
    .split('\n')
    .filter((line) => line.includes(` name=${name} `)).length;

it('CLIENT KILL TYPE pubsub while messages flow: resubscribes, reports reconnect(), delivers again', async () => {
  const user = await client();
  const transport = nodeRedisTransport({ client: user });
  // Published from inside reconnect(), exactly once per reconnect: it only arrives if the
  // subscription was back on the server when reconnect() was called.
  const seen = recorder(() => {
    void transport.publish('ck:flow', `after-reconnect-${seen.reconnects()}`);
  });
  await transport.connect(seen.handlers);
  await transport.subscribe(['ck:flow']);
  await transport.psubscribe(['ck:pat:*']);

  let sent = 0;
  let flowing = true;
  const flow = (async () => {
    while (flowing) {
      await user.publish('ck:flow', `m${sent++}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  for (let kill = 1; kill <= 10; kill++) {
    await waitFor(() => seen.received.filter((m) => m.startsWith('m')).length > kill * 5, {
      message: 'messages flowing',
    });
    expect(await killPubSub()).toBe(1);
    await waitFor(() => seen.reconnects() === kill, {
      timeout: 5_000,
      message: `reconnect #${kill}`,
    });
  }
  flowing = false;
  await flow;
  await waitFor(() => seen.received.filter((m) => m.startsWith('after-reconnect-')).length === 10, {
    message: 'the message published in each reconnect()',
  });
  await transport.publish('ck:pat:1', 'pattern after the kills');
  await waitFor(() => seen.received.includes('pattern after the kills'), {
    message: 'the pattern',
  });
  // Some messages were lost around each kill (at-most-once), never reordered or duplicated.
  const numbers = seen.received.filter((m) => /^m\d+$/.test(m)).map((m) => Number(m.slice(1)));
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  expect(new Set(numbers).size).toBe(numbers.length);
  await transport.close();
});

it('a client whose reconnectStrategy gives up is replaced, resubscribed and reported', async () => {
  const transport = nodeRedisTransport({ client: await client(false) });
  const seen = recorder();
  await transport.connect(seen.handlers);
  await transport.subscribe(['ck:replace']);
  const first = transport.subscriber;
  expect(await killPubSub()).toBe(1);
  await waitFor(() => seen.reconnects() === 1, {
    timeout: 5_000,
    message: 'reconnect() after the replacement',
  });
  expect(transport.subscriber).not.toBe(first);
  expect(first?.isOpen).toBe(false);
  await transport.publish('ck:replace', 'on the new connection');
  await waitFor(() => seen.received.length === 1, { message: 'the message' });
  await transport.close();
});

it('300 kill cycles leave no listener, connection or heap growth behind', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const transport = nodeRedisTransport({ client: await client(undefined, 'ck-leak') });
  const baseline = await connectionCount('ck-leak');
  expect(baseline).toBe(1);
  const seen = recorder();
  await transport.connect(seen.handlers);
  await transport.subscribe(['ck:leak:a', 'ck:leak:b']);
  await transport.psubscribe(['ck:leak:p:*']);
  const subscriber = transport.subscriber as unknown as EventEmitter;
  const listeners = () =>
    Object.fromEntries(
      subscriber.eventNames().map((e) => [String(e), subscriber.listenerCount(e)]),
    );
  const pubSubListeners = () =>
    (['CHANNELS', 'PATTERNS'] as const).map((type) =>
      [...(transport.subscriber as NodeRedisPubSubClient).getPubSubListeners(type).values()].map(
        (entry) => (entry as { strings: Set<unknown> }).strings.size,
      ),
    );

  const cycle = async (n: number) => {
    await waitFor(async () => (await killPubSub()) === 1, { message: 'a live subscriber to kill' });
    await waitFor(() => seen.reconnects() === n, { timeout: 5_000, message: `reconnect #${n}` });
  };
  // Warm-up (lazily allocated driver state, JIT), then the measured cycles.
  const WARM_UP = 60;
  for (let n = 1; n <= WARM_UP; n++) await cycle(n);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const listenersBefore = listeners();
  expect(pubSubListeners()).toEqual([[1, 1], [1]]);
  const started = Date.now();
  let cycles = WARM_UP;
  while (cycles < WARM_UP + 300 && Date.now() - started < 10_000) await cycle(++cycles);
  expect(cycles).toBeGreaterThanOrEqual(WARM_UP + 200);
  gc();
  const growth = process.memoryUsage().heapUsed - heapBefore;
  // Seen: -250 KB to +260 KB. Keeping a connection, a socket or an Error with its stack per
  // cycle (4 KB and up) fails this.
  expect(growth).toBeLessThan(1024 * 1024);

  expect(listeners()).toEqual(listenersBefore);
  expect(pubSubListeners()).toEqual([[1, 1], [1]]);
  expect(transport.subscriber).toBe(subscriber);
  expect(await connectionCount('ck-leak')).toBe(baseline + 1);
  await transport.publish('ck:leak:b', 'still subscribed');
  await transport.publish('ck:leak:p:1', 'pattern too');
  await waitFor(() => seen.received.length === 2, { message: 'messages after the cycles' });
  for (const message of seen.errors.keys()) expect(message).toMatch(/subscriber connection error/);

  await transport.close();
  await waitFor(async () => (await connectionCount('ck-leak')) === baseline, {
    message: 'the subscriber gone',
  });
  console.info(
    `node-redis transport: ${cycles} kill cycles, ${cycles - WARM_UP} measured in ${Date.now() - started} ms, heap growth ${growth} B`,
  );
}, 30_000);
