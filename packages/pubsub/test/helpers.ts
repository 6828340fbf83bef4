import {
  type Bus,
  createBus,
  type MemoryHub,
  type MemoryTransport,
  memoryHub,
} from '../src/index.js';

/** Lets queued deliveries (microtasks) and I/O callbacks run once. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `predicate` every event-loop turn until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 2_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await turn();
  }
}

/** "Processes" in one test: buses on transports of one hub. */
export interface Node {
  readonly bus: Bus;
  readonly transport: MemoryTransport;
}

export function cluster(count: number, hub: MemoryHub = memoryHub()): Node[] {
  return Array.from({ length: count }, (_, index) => {
    const transport = hub.transport();
    return { transport, bus: createBus({ transport, source: `node-${index}` }) };
  });
}

/** Disposes every bus of a cluster. */
export async function disposeAll(nodes: readonly Node[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.bus.dispose()));
}
