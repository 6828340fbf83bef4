import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@cachekit/redis-testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { percentiles, Worker } from './processes.js';

const namespace = (): string => `mp${randomUUID().replaceAll('-', '').slice(0, 10)}`;

describe('several Node processes on one Redis (built packages, real pub/sub)', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  let workers: Worker[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
  });
  afterAll(async () => {
    await admin.quit();
    await server.stop();
  });

  async function start(count: number, init: Record<string, unknown>): Promise<Worker[]> {
    workers = await Promise.all(Array.from({ length: count }, () => Worker.start()));
    await Promise.all(workers.map((worker) => worker.call('init', { url: server.url, ...init })));
    return workers;
  }

  it('an invalidation in one process removes the L1 copy in the three others', async () => {
    const [writer, ...readers] = (await start(4, { namespace: namespace() })) as [
      Worker,
      ...Worker[],
    ];
    const latencies: number[] = [];
    for (let round = 0; round < 20; round++) {
      const key = `k${round}`;
      for (const worker of [writer, ...readers]) {
        expect((await worker.call('read', { key, value: 'old' })).value).toBe('old');
      }
      // Warm in every L1 (its TTL is an hour): only an invalidation can make them read again.
      for (const reader of readers)
        expect((await reader.call('read', { key, value: 'new' })).value).toBe('old');
      const { started } = await writer.call<{ started: number }>('remove', { key });
      for (const reader of readers) {
        const deadline = Date.now() + 2000;
        let value: unknown;
        do {
          ({ value } = await reader.call('read', { key, value: 'new' }));
        } while (value !== 'new' && Date.now() < deadline);
        expect(value).toBe('new');
        const heard = reader.events.find(
          (event) =>
            event.type === 'invalidated' &&
            (event.keys as string[]).some((k) => k.endsWith(`:${key}`)),
        );
        expect(heard).toBeDefined();
        latencies.push((heard?.at ?? Number.NaN) - started);
      }
    }
    const { p50, p99, max } = percentiles(latencies);
    console.log(
      `[B6 smoke] L1 drop after delete(), 3 other processes x 20: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${max.toFixed(3)} ms`,
    );
    expect(max).toBeLessThan(500);
  });

  it('CLIENT KILL TYPE pubsub while invalidations flow: resubscribed, L1 flushed on the gap, 0 stale reads after it', async () => {
    const [writer, reader] = (await start(2, { namespace: namespace() })) as [Worker, Worker];
    const keys = Array.from({ length: 150 }, (_, i) => `key${i}`);
    for (const key of keys) await writer.call('write', { key, value: 1 });
    // The reader holds every key in L1 (its L1 TTL is an hour): only invalidations can refresh it.
    for (const key of keys) expect((await reader.call('read', { key, value: -1 })).value).toBe(1);
    const killedAt = performance.timeOrigin + performance.now();
    const killed = await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    expect(Number(killed)).toBeGreaterThanOrEqual(2);
    // Invalidations flow while the subscriber connections are down and coming back.
    for (const key of keys) await writer.call('write', { key, value: 2 });
    const deadline = Date.now() + 5000;
    while (!reader.events.some((event) => event.type === 'gap') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const gap = reader.events.find((event) => event.type === 'gap');
    // The reconnect itself, or the sequence skip it caused, whichever the reader noticed first.
    expect(['reconnect', 'sequence'], 'the reader saw the lost messages as a gap').toContain(
      gap?.reason,
    );
    const stale: string[] = [];
    for (const key of keys) {
      const { value } = await reader.call('read', { key, value: -1 });
      if (value !== 2) stale.push(`${key}=${String(value)}`);
    }
    expect(stale).toEqual([]);
    // Counted now: events and replies share the worker's IPC channel, so every event the reader
    // sent before answering the reads above has arrived.
    // Keys whose invalidation reached the reader after the kill (each change is announced twice).
    const heard = new Set(
      reader.events
        .filter(
          (event) => event.type === 'invalidated' && event.flush !== true && event.at > killedAt,
        )
        .flatMap((event) => event.keys as string[]),
    ).size;
    // Precondition: some invalidations were really lost, or this test would prove nothing.
    expect(heard).toBeLessThan(keys.length);
    // Resubscribed by itself: a later invalidation is heard without another gap.
    const { started: removedAt } = await writer.call<{ started: number }>('remove', {
      key: 'key0',
    });
    const resubscribed = Date.now() + 2000;
    const heardLater = () =>
      reader.events.some(
        (event) =>
          event.type === 'invalidated' &&
          event.at > removedAt &&
          (event.keys as string[] | undefined)?.some((k) => k.endsWith(':key0')),
      );
    while (!heardLater() && Date.now() < resubscribed)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heardLater()).toBe(true);
    console.log(
      `[R3] ${keys.length - heard} of ${keys.length} invalidations lost across the reconnect; 0 stale reads after the gap`,
    );
  });

  it('10,000 concurrent cold reads over four processes with the lock: one loader in all', async () => {
    const procs = await start(4, { namespace: namespace(), lock: true });
    const loaderMs = 200;
    const results = await Promise.all(
      procs.map((worker) =>
        worker.call<{ loaderCalls: number; allEqual: boolean; count: number; ended: number }>(
          'stampede',
          {
            key: 'cold',
            count: 2500,
            loaderMs,
            value: 'loaded',
          },
        ),
      ),
    );
    const loaderCalls = results.reduce((sum, result) => sum + result.loaderCalls, 0);
    expect(loaderCalls).toBe(1);
    expect(results.every((result) => result.allEqual && result.count === 2500)).toBe(true);
    const loading = procs.flatMap((worker) =>
      worker.events.filter((event) => event.type === 'loading'),
    );
    expect(loading).toHaveLength(1);
    const lastAnswer = Math.max(...results.map((result) => result.ended));
    const lag = lastAnswer - ((loading[0]?.at ?? 0) + loaderMs);
    console.log(
      `[B4 smoke] 4 processes x 2,500 cold reads: ${loaderCalls} loader call, last caller answered ${lag.toFixed(1)} ms after the load`,
    );
    expect(lag).toBeLessThan(250);
  });

  it('a lock holder killed mid-load: another process takes over within the lease', async () => {
    const lease = 1000;
    const [holder, taker] = (await start(2, {
      namespace: namespace(),
      lock: true,
      lockLease: lease,
    })) as [Worker, Worker];
    void holder
      .call('stampede', { key: 'orphan', count: 10, loaderMs: 60_000, value: 'never' })
      .catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (!holder.events.some((event) => event.type === 'loading') && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(holder.events.some((event) => event.type === 'loading')).toBe(true);
    holder.child.kill('SIGKILL');
    const killedAt = performance.timeOrigin + performance.now();
    const result = await taker.call<{ loaderCalls: number; allEqual: boolean; ended: number }>(
      'stampede',
      {
        key: 'orphan',
        count: 100,
        loaderMs: 20,
        value: 'taken over',
      },
    );
    expect(result.allEqual).toBe(true);
    expect(result.loaderCalls).toBe(1);
    const tookOver = result.ended - killedAt;
    console.log(
      `[R6] holder killed: taken over and answered ${tookOver.toFixed(0)} ms later (lease ${lease} ms)`,
    );
    expect(tookOver).toBeLessThan(lease + 500);
  });
});
