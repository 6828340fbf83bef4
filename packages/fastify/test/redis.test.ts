import { randomUUID } from 'node:crypto';
import { type Cache, createCache, definePolicy, EVENT_DRIVEN } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { type Bus, cacheSync, createBus, publishEvent } from '@cachekit/pubsub';
import { waitFor } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import cachekitFastify from '../src/index.js';

const policy = definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] });

/** The fleet's state, as every instance's handlers read it. */
const fleet = { version: 1 };

interface Instance {
  readonly app: FastifyInstance;
  readonly cache: Cache;
  readonly bus: Bus;
  readonly client: Redis;
  readonly calls: { count: number };
}

const running: Instance[] = [];
afterEach(async () => {
  for (const instance of running.splice(0)) {
    await instance.app.close();
    await instance.cache.close();
    await instance.bus.dispose();
    await instance.client.quit();
  }
});

/** One "process": its own client, bus, cache with L1 kept in sync, and app. */
async function instance(namespace: string): Promise<Instance> {
  const client = new Redis(redisFromInject().standalone.url);
  const bus = createBus({ transport: ioredisTransport({ client }) });
  const cache = createCache({
    store: ioredisStore({ client }),
    namespace,
    // Long enough that only the bus can make an instance drop its L1 copy within the test.
    l1: { ttl: '1m' },
    sync: cacheSync(bus, { namespace }),
  });
  const calls = { count: 0 };
  const app = Fastify();
  await app.register(cachekitFastify, { cache });
  const handler = async (request: { params: unknown }) => {
    calls.count++;
    return { id: (request.params as { id: string }).id, version: fleet.version };
  };
  app.get(
    '/miners/:id',
    { config: { cache: { ttl: '1m', tags: (request) => [`miner:${request.params.id}`] } } },
    handler,
  );
  app.get('/config/:id', { config: { cache: { policy } } }, handler);
  await app.ready();
  await cache.ready();
  const made = { app, cache, bus, client, calls };
  running.push(made);
  return made;
}

async function pair(): Promise<[Instance, Instance]> {
  const namespace = `fastify${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  fleet.version = 1;
  return [await instance(namespace), await instance(namespace)];
}

async function get(instance: Instance, url: string) {
  const response = await instance.app.inject(url);
  return { cache: response.headers['x-cache'], version: response.json().version as number };
}

/** Waits until `instance` answers `url` with the fleet's current version. */
function until(instance: Instance, url: string) {
  return waitFor(
    async () => {
      const seen = await get(instance, url);
      return seen.version === fleet.version ? seen : undefined;
    },
    { timeoutMs: 5_000, description: `${url} to show version ${fleet.version}` },
  );
}

describe('two app instances sharing Redis, L1 kept in sync by the bus', () => {
  it('one handler call serves both; a tag invalidated in one drops the entry (and L1 copies) in both', async () => {
    const [a, b] = await pair();
    expect(await get(a, '/miners/1')).toEqual({ cache: 'MISS', version: 1 });
    expect(await get(b, '/miners/1')).toEqual({ cache: 'HIT', version: 1 });
    expect(await get(b, '/miners/1')).toEqual({ cache: 'HIT', version: 1 }); // from B's L1
    expect(b.calls.count).toBe(0);
    fleet.version = 2;
    await a.app.cache.invalidateTags(['miner:1']);
    expect(await get(a, '/miners/1')).toEqual({ cache: 'MISS', version: 2 });
    await until(b, '/miners/1');
    // B then reads the entry A stored: still one handler call per version.
    expect(a.calls.count).toBe(2);
    expect(b.calls.count).toBe(0);
  });

  it('app.cache.invalidate(url) in one instance drops the URL in the other', async () => {
    const [a, b] = await pair();
    await get(a, '/miners/7');
    expect(await get(b, '/miners/7')).toMatchObject({ cache: 'HIT' });
    fleet.version = 2;
    await b.app.cache.invalidate('/miners/7');
    await until(a, '/miners/7');
    await until(b, '/miners/7');
  });

  it('a domain event published on the bus invalidates EVENT_DRIVEN responses in every instance', async () => {
    const [a, b] = await pair();
    await get(a, '/config/1');
    expect(await get(b, '/config/1')).toMatchObject({ cache: 'HIT' });
    expect(await get(a, '/config/1')).toMatchObject({ cache: 'HIT' });
    fleet.version = 2;
    // Published by a third party (a config service): each instance applies it itself.
    const publisherClient = new Redis(redisFromInject().standalone.url);
    const publisher = createBus({ transport: ioredisTransport({ client: publisherClient }) });
    try {
      await publishEvent(publisher, 'miner.config.updated', { minerId: '1' });
      await until(a, '/config/1');
      await until(b, '/config/1');
    } finally {
      await publisher.dispose();
      await publisherClient.quit();
    }
  });
});
