import { describe, expect, it } from 'vitest';
import { type CacheEvent, createCache } from '../src/index.js';
import { faultyStore } from './support.js';

/**
 * A listener may subscribe while an operation is already waiting for the store. Its event must
 * still carry the operation's own duration, never the time since the process started.
 */
describe('an operation in flight when a listener subscribes', () => {
  const operations: Array<[string, (cache: ReturnType<typeof createCache>) => Promise<unknown>]> = [
    ['get', (cache) => cache.get('k')],
    ['getOrSet', (cache) => cache.getOrSet('k', async () => 1)],
    ['set', (cache) => cache.set('k', 1)],
    ['delete', (cache) => cache.delete('k')],
    ['invalidateTags', (cache) => cache.invalidateTags(['t'])],
    ['deleteMatching', (cache) => cache.deleteMatching('k*')],
  ];

  for (const [name, run] of operations) {
    it(`${name}: reports the duration of the operation, not the process uptime`, async () => {
      const store = faultyStore();
      const cache = createCache({ store, circuitBreaker: false });
      store.mode = 'hang';
      const before = performance.now();
      const pending = run(cache);
      const events: CacheEvent[] = [];
      cache.on('*', (event) => events.push(event));
      store.mode = 'ok';
      await pending;
      const elapsed = performance.now() - before;
      const timed = events.filter((event) => event.type !== 'load');
      expect(timed.length).toBeGreaterThan(0);
      for (const event of timed) {
        expect(event.duration, `${event.type} of ${name}`).toBeGreaterThanOrEqual(0);
        expect(event.duration, `${event.type} of ${name}`).toBeLessThanOrEqual(elapsed);
      }
    });
  }
});
