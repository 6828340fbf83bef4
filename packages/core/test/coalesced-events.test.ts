import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CacheEvent, createCache, type HitEvent, type MissEvent } from '../src/index.js';
import { deferred } from './support.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Records the read events (hit, miss, stale) of a cache, as `type` or `type+coalesced`. */
function reads(cache: ReturnType<typeof createCache>) {
  const events: CacheEvent[] = [];
  cache.on('hit', (event) => events.push(event));
  cache.on('miss', (event) => events.push(event));
  cache.on('stale', (event) => events.push(event));
  const tally = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const event of events) {
      const name = `${event.type}${'coalesced' in event && event.coalesced ? '+coalesced' : ''}`;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  };
  return { events, tally };
}

describe('callers that join a read in flight (single-flight)', () => {
  it('each get a miss of their own, marked coalesced, when the shared load settles', async () => {
    const cache = createCache({ namespace: 'fleet' });
    const { events, tally } = reads(cache);
    const source = deferred<number>();
    let loads = 0;
    const loader = () => {
      loads++;
      return source.promise;
    };
    const callers = Array.from({ length: 100 }, () => cache.getOrSet('k', loader));
    // Only the caller that started the flight has read the store so far.
    await vi.waitFor(() => expect(tally()).toEqual({ miss: 1 }));
    source.resolve(7);
    expect(await Promise.all(callers)).toEqual(Array(100).fill(7));
    expect(loads).toBe(1);
    expect(tally()).toEqual({ miss: 1, 'miss+coalesced': 99 });
    const joined = events.filter((e) => (e as MissEvent).coalesced === true);
    expect(
      joined.every(
        (e) => e.namespace === 'fleet' && (e as MissEvent).key === (events[0] as MissEvent).key,
      ),
    ).toBe(true);
  });

  it('each get an L2 hit of their own when the shared store read finds the value', async () => {
    const cache = createCache();
    await cache.set('k', 'v');
    const { events, tally } = reads(cache);
    const values = await Promise.all(
      Array.from({ length: 100 }, () => cache.getOrSet('k', async () => 'loaded')),
    );
    expect(values).toEqual(Array(100).fill('v'));
    expect(tally()).toEqual({ hit: 1, 'hit+coalesced': 99 });
    expect(events.every((e) => (e as HitEvent).tier === 'l2')).toBe(true);
  });

  it('report the time they waited, from joining to the settled flight', async () => {
    const cache = createCache();
    const { events } = reads(cache);
    const source = deferred<number>();
    const first = cache.getOrSet('k', () => source.promise);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    const joinedAt = performance.now();
    const second = cache.getOrSet('k', async () => 0);
    await new Promise((resolve) => setImmediate(resolve));
    source.resolve(1);
    await Promise.all([first, second]);
    const waited = performance.now() - joinedAt;
    const joiner = events.find((e) => (e as MissEvent).coalesced === true);
    expect(joiner?.duration).toBeGreaterThan(0);
    expect(joiner?.duration).toBeLessThanOrEqual(waited);
  });

  it('each get a miss when the shared load fails, and the error', async () => {
    const cache = createCache();
    const { tally } = reads(cache);
    const callers = Array.from({ length: 3 }, () =>
      cache.getOrSet('k', async () => {
        throw new Error('source down');
      }),
    );
    for (const caller of callers) await expect(caller).rejects.toThrow('source down');
    expect(tally()).toEqual({ miss: 1, 'miss+coalesced': 2 });
  });

  it('each get a miss and a stale serve when the flight served an expired value', async () => {
    vi.useFakeTimers();
    const cache = createCache();
    const options = { ttl: '1s', grace: '1m', softTimeout: 0 } as const;
    await cache.getOrSet('k', async () => 'old', options);
    vi.advanceTimersByTime(1_500);
    const { events, tally } = reads(cache);
    const values = await Promise.all(
      Array.from({ length: 3 }, () => cache.getOrSet('k', async () => 'new', options)),
    );
    expect(values).toEqual(['old', 'old', 'old']);
    expect(tally()).toEqual({ miss: 1, 'miss+coalesced': 2, stale: 1, 'stale+coalesced': 2 });
    // Per caller: its miss comes before its stale serve.
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['miss', 'stale']);
  });

  it('count a read that joins a refresh as a miss; a refresh that joins a read counts nothing', async () => {
    const cache = createCache();
    const source = deferred<string>();
    const status = cache.define({ namespace: 'status', load: () => source.promise });
    const { tally } = reads(cache);
    const refreshing = status.refresh('a');
    const reading = status.get('a');
    source.resolve('fresh');
    expect(await Promise.all([refreshing, reading])).toEqual(['fresh', 'fresh']);
    expect(tally()).toEqual({ 'miss+coalesced': 1 });

    const other = deferred<string>();
    const second = cache.define({ namespace: 'other', load: () => other.promise });
    const read = second.get('b');
    const refresh = second.refresh('b');
    other.resolve('v');
    expect(await Promise.all([read, refresh])).toEqual(['v', 'v']);
    expect(tally()).toEqual({ 'miss+coalesced': 1, miss: 1 });
  });

  it("reach listeners of '*' and L2-hit-only listeners alike", async () => {
    const cache = createCache();
    await cache.set('k', 1);
    const all: CacheEvent[] = [];
    cache.on('*', (event) => all.push(event), { l1Hits: false });
    await Promise.all([cache.getOrSet('k', async () => 2), cache.getOrSet('k', async () => 2)]);
    expect(all.map((e) => [e.type, (e as HitEvent).coalesced === true])).toEqual([
      ['hit', false],
      ['hit', true],
    ]);
  });
});
