import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ClosedError, type TransportHandlers } from '@cachekit/core';
import { waitFor } from '@cachekit/core/testing';
import { nodeRedisTransport } from '@cachekit/node-redis';
import { type RedisAddress, sendCommand } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';

// Transports on the run's shared standalone server. Fault tests that kill every pub/sub
// connection of a server run on a private one (transport-faults.test.ts).

type Received = [channel: string, message: string, pattern: string | undefined];

function recorder(onReconnect: () => void = () => {}) {
  const received: Received[] = [];
  const errors: Error[] = [];
  let reconnects = 0;
  const handlers: TransportHandlers = {
    message: (channel, message, pattern) => received.push([channel, message, pattern]),
    reconnect: () => {
      reconnects += 1;
      onReconnect();
    },
    error: (error) => errors.push(error),
  };
  return {
    handlers,
    received,
    errors,
    reconnects: () => reconnects,
    messages: (channel: string) => received.filter(([c]) => c === channel).map(([, m]) => m),
  };
}

const tag = (): string => `ck-transport-${randomUUID().slice(0, 8)}`;

const opened: Array<{ destroy(): void }> = [];

async function standalone(options: { name?: string; port?: number } = {}) {
  const { standalone } = redisFromInject();
  const client = createClient({
    socket: {
      host: standalone.host,
      port: options.port ?? standalone.port,
      reconnectStrategy: () => 10,
    },
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  client.on('error', () => {});
  opened.push(client);
  if (options.port === undefined) await client.connect();
  return client;
}

afterEach(() => {
  for (const client of opened.splice(0)) client.destroy();
});

/** `CLIENT LIST` entries of `address` whose name contains `name`, as field maps. */
async function clientsNamed(address: RedisAddress, name: string): Promise<Map<string, string>[]> {
  const list = await sendCommand(address, ['CLIENT', 'LIST']);
  return String(list)
    .split('\n')
    .filter((line) => line.includes(name))
    .map(
      (line) => new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string])),
    );
}

describe('nodeRedisTransport on a standalone server', () => {
  it('delivers exact channels and patterns, and stops after unsubscribe', async () => {
    const transport = nodeRedisTransport({ client: await standalone() });
    const seen = recorder();
    expect(transport.capabilities).toEqual({ patterns: true, local: false });
    expect(transport.sharded).toBe(false);
    await transport.connect(seen.handlers);
    const id = randomUUID();
    await transport.subscribe([`ck:${id}:a`, `ck:${id}:a`]);
    await transport.psubscribe([`ck:${id}:p:*`]);
    await transport.psubscribe([`ck:${id}:p:*`]);
    await transport.publish(`ck:${id}:a`, 'one');
    await transport.publish(`ck:${id}:p:x`, 'two');
    await transport.publish(`ck:${id}:other`, 'ignored');
    await waitFor(() => seen.received.length >= 2, { message: 'two messages' });
    expect(seen.received).toEqual([
      [`ck:${id}:a`, 'one', undefined],
      [`ck:${id}:p:x`, 'two', `ck:${id}:p:*`],
    ]);

    await transport.unsubscribe([`ck:${id}:a`]);
    await transport.punsubscribe([`ck:${id}:p:*`]);
    await transport.subscribe([`ck:${id}:marker`]);
    await transport.publish(`ck:${id}:a`, 'late');
    await transport.publish(`ck:${id}:p:y`, 'late');
    await transport.publish(`ck:${id}:marker`, 'end');
    // The marker was published last on the same connection: once it is here, the others would be.
    await waitFor(() => seen.messages(`ck:${id}:marker`).length === 1, { message: 'the marker' });
    expect(seen.received.map(([, m]) => m)).toEqual(['one', 'two', 'end']);
    expect(seen.errors).toEqual([]);
    await transport.close();
  });

  it('delivers a malformed payload published with redis-cli as a plain string', async () => {
    const { standalone: server } = redisFromInject();
    const transport = nodeRedisTransport({ client: await standalone() });
    const seen = recorder();
    await transport.connect(seen.handlers);
    const channel = `ck:${randomUUID()}:raw`;
    await transport.subscribe([channel]);
    const cli = (args: string[], input?: Buffer) =>
      new Promise<void>((resolve, reject) => {
        const child = execFile(
          'redis-cli',
          ['-h', server.host, '-p', String(server.port), ...args],
          (error) => (error ? reject(error) : resolve()),
        );
        child.stdin?.end(input);
      });
    await cli(['PUBLISH', channel, '{"type":"x","data":']);
    // -x: the last argument is read from stdin, raw bytes (not UTF-8).
    await cli(['-x', 'PUBLISH', channel], Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    await waitFor(() => seen.received.length === 2, { message: 'both raw messages' });
    expect(seen.messages(channel)[0]).toBe('{"type":"x","data":');
    expect(typeof seen.messages(channel)[1]).toBe('string');
    expect(seen.messages(channel)[1]).toContain('A');
    await transport.close();
  });

  it('a throwing handler is reported and delivery goes on', async () => {
    const transport = nodeRedisTransport({ client: await standalone() });
    const seen = recorder();
    let calls = 0;
    await transport.connect({
      ...seen.handlers,
      message: (channel, message, pattern) => {
        calls += 1;
        if (calls === 1) throw new Error('handler bug');
        seen.handlers.message(channel, message, pattern);
      },
    });
    const channel = `ck:${randomUUID()}`;
    await transport.subscribe([channel]);
    await transport.publish(channel, '1');
    await transport.publish(channel, '2');
    await waitFor(() => seen.received.length === 1, { message: 'the second message' });
    expect(seen.messages(channel)).toEqual(['2']);
    expect(seen.errors.map((e) => (e.cause as Error).message)).toEqual(['handler bug']);
    await transport.close();
  });

  it('close() drops only its own connection, is idempotent and ends its use', async () => {
    const name = tag();
    const { standalone: server } = redisFromInject();
    const client = await standalone({ name });
    const transport = nodeRedisTransport({ client });
    expect(transport.subscriber).toBeUndefined();
    await expect(transport.subscribe(['x'])).rejects.toThrow(/before connect/);
    await transport.connect(recorder().handlers);
    await transport.subscribe([`ck:${name}`]);
    const flags = async () => (await clientsNamed(server, name)).map((e) => e.get('flags')).sort();
    expect(await flags()).toEqual(['N', 'P']);
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(transport.subscriber).toBeUndefined();
    await waitFor(async () => (await flags()).length === 1, { message: 'the subscriber gone' });
    expect(await flags()).toEqual(['N']);
    await expect(client.ping()).resolves.toBe('PONG');
    await expect(transport.publish('x', 'y')).rejects.toBeInstanceOf(ClosedError);
    await expect(transport.subscribe(['x'])).rejects.toBeInstanceOf(ClosedError);
    await expect(transport.unsubscribe(['x'])).resolves.toBeUndefined();
  });

  it('refuses sharded mode on a single client and a connect() without Redis', async () => {
    const client = await standalone();
    expect(() => nodeRedisTransport({ client, sharded: true })).toThrow(/needs a cluster/);
    expect(() => nodeRedisTransport({ client: {} as never })).toThrow(/node-redis client/);
    // Port 1 refuses connections: connect() rejects and leaves nothing running.
    const transport = nodeRedisTransport({ client: await standalone({ port: 1 }) });
    await expect(transport.connect(recorder().handlers)).rejects.toThrow(
      /subscriber connection failed/,
    );
    expect(transport.subscriber).toBeUndefined();
    await transport.close();
  });
});
