import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ABSENT_GENERATION, InvalidOptionError, LruMap, memoryStore } from '../src/index.js';

describe('memoryStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires an entry exactly at its TTL', async () => {
    const store = memoryStore();
    await store.set('k', 'v', 1000);
    vi.advanceTimersByTime(999);
    expect(await store.get('k')).toBe('v');
    vi.advanceTimersByTime(1);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.getMany(['k'])).toEqual([undefined]);
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const store = memoryStore({ maxEntries: 3 });
    await store.setMany([
      { key: 'a', value: '1', ttl: 60_000 },
      { key: 'b', value: '2', ttl: 60_000 },
      { key: 'c', value: '3', ttl: 60_000 },
    ]);
    expect(await store.get('a')).toBe('1'); // a is now the most recently used
    await store.set('d', '4', 60_000);
    expect(await store.getMany(['a', 'b', 'c', 'd'])).toEqual(['1', undefined, '3', '4']);
  });

  it('stays within maxBytes and refuses nothing but what alone exceeds it', async () => {
    const store = memoryStore({ maxBytes: 4096 });
    for (let i = 0; i < 100; i++) await store.set(`key-${i}`, 'x'.repeat(100), 60_000);
    const present = (await store.getMany(Array.from({ length: 100 }, (_, i) => `key-${i}`))).filter(
      Boolean,
    );
    // Each entry costs (6..7 + 100) * 2 + 64 bytes, so about 14 fit in 4 KiB; the newest survive.
    expect(present.length).toBeGreaterThan(10);
    expect(present.length).toBeLessThan(20);
    expect(await store.get('key-99')).toBe('x'.repeat(100));
    await store.set('huge', 'x'.repeat(10_000), 60_000);
    expect(await store.get('huge')).toBeUndefined();
  });

  it('never evicts generations, which expire with their own TTL', async () => {
    const store = memoryStore({ maxEntries: 1 });
    const [generation] = await store.bumpGenerations(['g'], 5000);
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, 'v', 60_000);
    expect(await store.getMany(['g'])).toEqual([generation]);
    expect(
      await store.setIfGenerations('k', 'v', 1000, [{ key: 'g', generation: ABSENT_GENERATION }]),
    ).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(await store.getMany(['g'])).toEqual([undefined]);
  });

  it('bumps generations strictly upwards even when the clock stands still', async () => {
    const store = memoryStore();
    const seen = new Set<string>();
    let previous = 0n;
    for (let i = 0; i < 100; i++) {
      const [next] = await store.bumpGenerations(['g'], 60_000);
      expect(BigInt(next as string)).toBeGreaterThan(previous);
      previous = BigInt(next as string);
      seen.add(next as string);
    }
    expect(seen.size).toBe(100);
  });

  it('deletes by Redis glob pattern', async () => {
    const store = memoryStore();
    for (const key of ['a:1', 'a:2', 'a:10', 'b:1', 'a*x']) await store.set(key, 'v', 60_000);
    expect(await store.deleteMatching('a:?')).toBe(2);
    expect(await store.deleteMatching('a\\*x')).toBe(1);
    expect(await store.getMany(['a:1', 'a:2', 'a:10', 'b:1', 'a*x'])).toEqual([
      undefined,
      undefined,
      'v',
      'v',
      undefined,
    ]);
  });

  it('refuses invalid bounds with a typed error', () => {
    expect(() => memoryStore({ maxEntries: 0 })).toThrow(InvalidOptionError);
    expect(() => memoryStore({ maxBytes: -1 })).toThrow(InvalidOptionError);
    expect(() => memoryStore({ maxEntries: 1.5 })).toThrow(/positive integer/);
  });
});

describe('LruMap', () => {
  it('reports evictions but not expiries', () => {
    let now = 0;
    const evicted: string[] = [];
    const map = new LruMap<number>({
      maxEntries: 2,
      now: () => now,
      onEvict: (key) => evicted.push(key),
    });
    map.set('a', 1, 10);
    map.set('b', 2, 100);
    now = 20; // a expired
    map.set('c', 3, 100); // evicts a (expired: not reported)
    map.set('d', 4, 100); // evicts b (live: reported)
    expect(evicted).toEqual(['b']);
    expect([...map.keys()]).toEqual(['c', 'd']);
  });
});
