import { describe, expect, it, vi } from 'vitest';
import {
  createCache,
  definePolicy,
  EPHEMERAL,
  EVENT_DRIVEN,
  InvalidOptionError,
  InvalidPolicyError,
  memoryStore,
  SerializationError,
  type WarmProgress,
} from '../src/index.js';
import { deferred } from './support.js';

interface MinerConfig {
  pool: string;
  powerTarget: number;
}

/** A stand-in for the fleet's gRPC source: a Map with call counts. */
function fakeSource() {
  const configs = new Map<string, MinerConfig>([
    ['m-1', { pool: 'stratum+tcp://a', powerTarget: 3000 }],
    ['m-2', { pool: 'stratum+tcp://b', powerTarget: 3200 }],
  ]);
  return {
    configs,
    load: vi.fn(async (id: string) => {
      const config = configs.get(id);
      if (config === undefined) throw new Error(`unknown miner ${id}`);
      return { ...config };
    }),
    write: vi.fn(async (id: string, config: MinerConfig) => {
      if (config.powerTarget < 0) throw new Error('source refused the config');
      configs.set(id, { ...config });
    }),
  };
}

describe('define()', () => {
  it('reads through, writes through, invalidates', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const source = fakeSource();
    const config = cache.define<string, MinerConfig>({
      namespace: 'miner-config',
      key: (id) => [id],
      load: (id) => source.load(id),
      write: (id, value) => source.write(id, value),
    });
    expect(config.key('m-1')).toBe('v1:fleet:miner-config:m-1');
    expect(await config.get('m-1')).toEqual({ pool: 'stratum+tcp://a', powerTarget: 3000 });
    expect(await config.get('m-1')).toEqual({ pool: 'stratum+tcp://a', powerTarget: 3000 });
    expect(source.load).toHaveBeenCalledTimes(1);

    const updated = await config.update('m-1', { pool: 'stratum+tcp://c', powerTarget: 2800 });
    expect(updated.pool).toBe('stratum+tcp://c');
    expect(source.configs.get('m-1')?.pool).toBe('stratum+tcp://c');
    expect(await config.peek('m-1')).toEqual(updated);
    expect(source.load).toHaveBeenCalledTimes(1);

    await config.invalidate('m-1');
    expect(await config.peek('m-1')).toBeUndefined();
    expect(await config.get('m-1')).toEqual(updated);
    expect(source.load).toHaveBeenCalledTimes(2);
  });

  it('write-through: a failed source write leaves the cache untouched and surfaces the error', async () => {
    const store = memoryStore();
    const cache = createCache({ store });
    const source = fakeSource();
    const config = cache.define<string, MinerConfig>({ load: source.load, write: source.write });
    const before = await config.get('m-1');
    const setSpy = vi.spyOn(store, 'set');
    await expect(config.update('m-1', { pool: 'x', powerTarget: -1 })).rejects.toThrow(
      'source refused',
    );
    expect(setSpy).not.toHaveBeenCalled();
    expect(await config.peek('m-1')).toEqual(before);
  });

  it('write-through refuses an unstorable value before writing the source', async () => {
    const cache = createCache();
    const write = vi.fn(async () => undefined);
    const def = cache.define<string, unknown>({ load: async () => 1, write });
    await expect(def.update('a', { n: 1n })).rejects.toBeInstanceOf(SerializationError);
    expect(write).not.toHaveBeenCalled();
    await expect(
      cache.define<string, number>({ load: async () => 1 }).update('a', 2),
    ).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('tags per id cascade to a summary', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const source = fakeSource();
    const status = cache.define<string, MinerConfig>({
      namespace: 'status',
      load: source.load,
      policy: EPHEMERAL,
      tags: (id) => [`miner:${id}`, 'fleet'],
    });
    let summaries = 0;
    const summary = cache.define<'all', number>({
      namespace: 'summary',
      load: async () => ++summaries,
      tags: () => ['fleet'],
    });
    await status.get('m-1');
    await status.get('m-2');
    expect(await summary.get('all')).toBe(1);
    await cache.invalidateTags(['miner:m-1']);
    expect(await status.peek('m-1')).toBeUndefined();
    expect(await status.peek('m-2')).toBeDefined();
    expect(await summary.get('all')).toBe(1);
    await cache.invalidateTags(['fleet']);
    expect(await summary.get('all')).toBe(2);
    expect(await status.peek('m-2')).toBeUndefined();
  });

  it('warms with bounded concurrency, reports progress, and collects failures', async () => {
    const cache = createCache();
    let running = 0;
    let maxRunning = 0;
    const def = cache.define<number, number>({
      load: async (id) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        if (id % 10 === 7) throw new Error(`cannot load ${id}`);
        return id * 2;
      },
    });
    const progress: WarmProgress<number>[] = [];
    const ids = Array.from({ length: 50 }, (_, i) => i);
    const report = await def.warm(ids, { concurrency: 3, onProgress: (p) => progress.push(p) });
    expect(maxRunning).toBe(3);
    expect(report.total).toBe(50);
    expect(report.succeeded).toBe(45);
    expect(report.failed.map((f) => f.id)).toEqual([7, 17, 27, 37, 47]);
    expect(report.skipped).toBe(0);
    expect(progress).toHaveLength(50);
    expect(progress.at(-1)).toMatchObject({ done: 50, total: 50, succeeded: 45, failed: 5 });
    expect(await def.peek(4)).toBe(8);
    expect(await def.peek(7)).toBeUndefined();
  });

  it('stops warming when the signal aborts', async () => {
    const cache = createCache();
    const controller = new AbortController();
    const def = cache.define<number, number>({ load: async (id) => id });
    const report = await def.warm([1, 2, 3, 4, 5, 6], {
      concurrency: 1,
      onProgress: ({ done }) => {
        if (done === 2) controller.abort();
      },
      signal: controller.signal,
    });
    expect(report.succeeded).toBe(2);
    expect(report.skipped).toBe(4);
    await expect(def.warm([1], { concurrency: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('refuses EVENT_DRIVEN without events and malformed definitions', () => {
    const cache = createCache();
    expect(() => cache.define({ load: async () => 1, policy: EVENT_DRIVEN })).toThrow(
      InvalidPolicyError,
    );
    expect(() => cache.define({} as never)).toThrow(InvalidOptionError);
    expect(() => cache.define({ load: async () => 1, tags: ['x'] as never })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('event-driven invalidation', () => {
  const configUpdated = definePolicy(EVENT_DRIVEN, {
    ttl: '5m',
    invalidateOn: ['miner.config.updated'],
  });

  it('an event invalidates every entry of the policy by default', async () => {
    const cache = createCache();
    const source = fakeSource();
    const config = cache.define<string, MinerConfig>({ load: source.load, policy: configUpdated });
    await config.get('m-1');
    await config.get('m-2');
    await cache.handleEvent('miner.config.updated', { minerId: 'm-1' });
    expect(await config.peek('m-1')).toBeUndefined();
    expect(await config.peek('m-2')).toBeUndefined();
    await cache.handleEvent('some.other.event');
    expect(await config.get('m-1')).toBeDefined();
    expect(await config.peek('m-1')).toBeDefined();
  });

  it('eventIds narrows an event to the ids its payload names', async () => {
    const cache = createCache();
    const source = fakeSource();
    const config = cache.define<string, MinerConfig>({
      load: source.load,
      policy: configUpdated,
      eventIds: (_event, payload) => (payload as { minerId?: string }).minerId,
    });
    await config.get('m-1');
    await config.get('m-2');
    await cache.handleEvent('miner.config.updated', { minerId: 'm-1' });
    expect(await config.peek('m-1')).toBeUndefined();
    expect(await config.peek('m-2')).toBeDefined();
    config.dispose();
    await config.get('m-1');
    await cache.handleEvent('miner.config.updated', { minerId: 'm-1' });
    expect(await config.peek('m-1')).toBeDefined();
  });

  it('an event during a load keeps the stale result out of the cache', async () => {
    const cache = createCache();
    const gate = deferred<number>();
    let started = false;
    const def = cache.define<string, number>({
      load: () => {
        started = true;
        return gate.promise;
      },
      policy: configUpdated,
    });
    const pending = def.get('m-1');
    await vi.waitFor(() => expect(started).toBe(true));
    await cache.handleEvent('miner.config.updated');
    gate.resolve(1);
    await pending;
    expect(await def.peek('m-1')).toBeUndefined();
  });
});
