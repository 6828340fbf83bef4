import { afterEach, describe, expect, it } from 'vitest';
import {
  type Bus,
  type BusEventMap,
  channelPattern,
  createBus,
  type MemoryHub,
  memoryHub,
} from '../src/index.js';
import { waitFor } from './helpers.js';

type MessageEvent = BusEventMap['message'];

const buses: Bus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.dispose()));
});

function bus(hub: MemoryHub, source: string, now: () => number = Date.now): Bus {
  const created = createBus({ transport: hub.transport(), source, now });
  buses.push(created);
  return created;
}

describe('bus message event', () => {
  it('reports channel, type, source and lag for each valid message received', async () => {
    const hub = memoryHub();
    let publisherClock = 10_000;
    let receiverClock = 10_000;
    const publisher = bus(hub, 'pub', () => publisherClock);
    const receiver = bus(hub, 'sub', () => receiverClock);
    const events: MessageEvent[] = [];
    receiver.on('message', (event) => events.push(event));
    const got: unknown[] = [];
    await receiver.subscribe('fleet', (message) => {
      got.push(message.data);
    });
    publisherClock = 20_000;
    receiverClock = 20_250;
    await publisher.publish('fleet', 'status', { online: 3 });
    await waitFor(() => got.length === 1, 'the delivery');
    publisherClock = 30_000;
    receiverClock = 30_004;
    await publisher.publish('fleet', 'summary', 1);
    await waitFor(() => got.length === 2, 'the second delivery');
    expect(events).toEqual([
      { channel: 'fleet', type: 'status', source: 'pub', lag: 250 },
      { channel: 'fleet', type: 'summary', source: 'pub', lag: 4 },
    ]);
  });

  it('is emitted once per subscription a message reached (channel and pattern)', async () => {
    const hub = memoryHub();
    const publisher = bus(hub, 'pub');
    const receiver = bus(hub, 'sub');
    const events: MessageEvent[] = [];
    receiver.on('message', (event) => events.push(event));
    let deliveries = 0;
    await receiver.subscribe('miner:1', () => {
      deliveries++;
    });
    await receiver.subscribe(channelPattern('miner', '*'), () => {
      deliveries++;
    });
    await publisher.publish('miner:1', 'status', 1);
    await waitFor(() => deliveries === 2, 'both deliveries');
    expect(events.map((event) => event.channel)).toEqual(['miner:1', 'miner:1']);
    expect(events.every((event) => event.lag >= 0 && event.lag < 1_000)).toBe(true);
  });

  it('is not emitted for malformed messages, nor for channels nobody subscribed', async () => {
    const hub = memoryHub();
    const raw = hub.transport();
    await raw.connect({ message: () => {}, reconnect: () => {}, error: () => {} });
    const publisher = bus(hub, 'pub');
    const receiver = bus(hub, 'sub');
    const events: MessageEvent[] = [];
    const malformed: string[] = [];
    receiver.on('message', (event) => events.push(event));
    receiver.on('malformed', (event) => malformed.push(event.reason));
    const got: unknown[] = [];
    await receiver.subscribe('fleet', (message) => {
      got.push(message.data);
    });
    await raw.publish('fleet', 'not json');
    await raw.publish('fleet', '{"type":"t","data":1,"ts":1,"source":"x","seq":0}');
    await publisher.publish('elsewhere', 't', 1);
    await publisher.publish('fleet', 't', 'valid');
    await waitFor(() => got.length === 1, 'the valid delivery');
    expect(malformed).toHaveLength(2);
    expect(events.map((event) => event.type)).toEqual(['t']);
    await raw.close();
  });

  it('stops when unsubscribed, and a throwing listener breaks no delivery', async () => {
    const hub = memoryHub();
    const publisher = bus(hub, 'pub');
    const receiver = bus(hub, 'sub');
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const events: MessageEvent[] = [];
      const stop = receiver.on('message', (event) => events.push(event));
      receiver.on('message', () => {
        throw new Error('listener broke');
      });
      expect(receiver.stats().eventListeners).toBe(2);
      const got: unknown[] = [];
      await receiver.subscribe('fleet', (message) => {
        got.push(message.data);
      });
      await publisher.publish('fleet', 't', 1);
      await waitFor(() => got.length === 1, 'the first delivery');
      stop();
      expect(receiver.stats().eventListeners).toBe(1);
      await publisher.publish('fleet', 't', 2);
      await waitFor(() => got.length === 2, 'the second delivery');
      expect(got).toEqual([1, 2]);
      expect(events).toHaveLength(1);
      await waitFor(() => warnings.length === 2, 'the isolated listener failures');
      expect(warnings.every((message) => message.includes('listener broke'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
