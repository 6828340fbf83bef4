import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { channel, channelPattern } from '../src/index.js';
import { cluster, disposeAll, type Node, turn } from './helpers.js';

/** A real `gc()` even without --expose-gc (the flag can be set at run time for a new context). */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function collect(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await turn(); // WeakRef targets stay alive until the current job ends
    gc();
  }
  return process.memoryUsage().heapUsed;
}

let nodes: Node[] = [];
afterEach(async () => {
  await disposeAll(nodes);
  nodes = [];
});

describe('1,000 subscribe/unsubscribe cycles', () => {
  it('leave registry, transport and event listeners empty, handlers collected, heap flat', async () => {
    const gc = exposeGc();
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const refs: Array<WeakRef<object>> = [];

    // Each handler holds 16 KB: if the registry kept them, 2,000 would hold 32 MB.
    const cycle = async (i: number): Promise<void> => {
      const ballast = new Uint8Array(16 * 1024);
      const ch = channel('events', 'miner', i % 7, 'status');
      const handler = (): void => {
        ballast[0] = 1;
      };
      refs.push(new WeakRef(handler));
      const subscription = await b.bus.subscribe(ch, handler);
      const pattern = await b.bus.subscribe(channelPattern('events', 'miner', '*'), handler);
      const stopGaps = b.bus.onGap(handler);
      const stream = b.bus.stream<number>(ch, { maxBuffer: 4 });
      refs.push(new WeakRef(stream));
      await stream.ready;
      await a.bus.publish(ch, 'status', i);
      for await (const item of stream) {
        if (item.kind === 'message') {
          ballast[1] = item.data;
          break;
        }
      }
      stopGaps();
      await Promise.all([subscription.unsubscribe(), pattern.unsubscribe()]);
    };

    for (let i = 0; i < 100; i++) await cycle(i); // warm up (JIT, maps reach their shapes)
    const before = await collect(gc);
    for (let i = 0; i < 1_000; i++) await cycle(i);
    const after = await collect(gc);

    expect(b.bus.stats()).toMatchObject({
      channels: 0,
      patterns: 0,
      listeners: 0,
      streams: 0,
      eventListeners: 0,
    });
    expect(b.transport.channels.size + b.transport.patterns.size).toBe(0);
    // Collection is not immediate on a busy machine: poll with a bounded number of gc rounds.
    let alive = refs.filter((ref) => ref.deref() !== undefined).length;
    for (let round = 0; round < 20 && alive > 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await collect(gc);
      alive = refs.filter((ref) => ref.deref() !== undefined).length;
    }
    expect(alive).toBe(0);
    // 1,100 cycles retaining 16 KB each would be +17 MB; allow 4 MB of noise.
    expect(after - before).toBeLessThan(4 * 1024 * 1024);
  });
});
