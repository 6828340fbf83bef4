import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { waitFor } from '@cachekit/core/testing';
import { channel, createBus } from '@cachekit/pubsub';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisTransport } from '../src/index.js';

const run = promisify(execFile);

describe('the bus on real Redis (ioredis transport)', () => {
  let client: Redis;
  let admin: Redis;

  beforeAll(() => {
    const { standalone } = redisFromInject();
    client = new Redis(standalone.url);
    admin = new Redis(standalone.url);
  });
  afterAll(async () => {
    await client.quit();
    await admin.quit();
  });

  it('drops and counts malformed envelopes published with redis-cli, and keeps serving', async () => {
    const bus = createBus({ transport: ioredisTransport({ client }) });
    const fleet = channel<{ online: number }>('events', 'fleet', randomUUID());
    const received: unknown[] = [];
    const malformed: string[] = [];
    bus.on('malformed', (event) => malformed.push(String((event as { reason?: unknown }).reason)));
    await bus.subscribe(fleet, (message) => {
      received.push(message.data);
    });
    const { standalone } = redisFromInject();
    for (const garbage of [
      'not json',
      '{"type":"x"}',
      '[1,2,3]',
      '{"type":1,"data":{},"ts":"x"}',
    ]) {
      await run('redis-cli', [
        '-h',
        standalone.host,
        '-p',
        String(standalone.port),
        'PUBLISH',
        String(fleet),
        garbage,
      ]);
    }
    await bus.publish(fleet, 'fleet.changed', { online: 199 });
    await waitFor(() => received.length === 1, { message: 'the valid message after the garbage' });
    expect(received).toEqual([{ online: 199 }]);
    await waitFor(() => bus.stats().malformed === 4, {
      message: 'four malformed envelopes counted',
    });
    expect(malformed).toHaveLength(4);
    await bus.dispose();
  });

  it('an abandoned async iterator leaves no subscription on the server', async () => {
    const bus = createBus({ transport: ioredisTransport({ client }) });
    const status = channel<{ hashrate: number }>('events', 'miner', randomUUID(), 'status');
    const numsub = async (): Promise<number> => {
      const reply = (await admin.call('PUBSUB', 'NUMSUB', String(status))) as [string, number];
      return Number(reply[1]);
    };
    for (let cycle = 0; cycle < 20; cycle++) {
      const stream = bus.stream(status);
      await stream.ready;
      expect(await numsub()).toBe(1);
      await bus.publish(status, 'miner.status', { hashrate: cycle });
      for await (const item of stream) {
        if (item.kind === 'message') break;
      }
      await waitFor(async () => (await numsub()) === 0, { message: 'the channel to be released' });
    }
    const stats = bus.stats();
    expect(stats.channels).toBe(0);
    expect(stats.streams).toBe(0);
    await bus.dispose();
  });
});
