import { ClosedError, InvalidOptionError, type TransportHandlers } from '@cachekit/core';
import { describe, expect, it } from 'vitest';
import { memoryHub, memoryTransport } from '../src/index.js';
import { turn, waitFor } from './helpers.js';

type Received = Array<[string, string, string | undefined]>;

function handlers(received: Received, counters = { reconnects: 0 }): TransportHandlers {
  return {
    message: (channel, message, pattern) => received.push([channel, message, pattern]),
    reconnect: () => {
      counters.reconnects++;
    },
    error: () => {},
  };
}

describe('memoryTransport', () => {
  it('delivers between transports of one hub (and back to the publisher), asynchronously, in order', async () => {
    const hub = memoryHub();
    const [a, b] = [hub.transport(), memoryTransport({ hub })];
    const [ra, rb]: [Received, Received] = [[], []];
    await a.connect(handlers(ra));
    await b.connect(handlers(rb));
    expect(hub.connected).toBe(2);
    expect(a.capabilities).toEqual({ patterns: true, local: true });
    await a.subscribe(['c']);
    await b.subscribe(['c', 'c']);
    const publishing = a.publish('c', '1');
    expect(rb).toEqual([]); // not synchronous
    await publishing;
    await b.publish('c', '2');
    await waitFor(() => ra.length === 2 && rb.length === 2, 'deliveries');
    expect(ra).toEqual([
      ['c', '1', undefined],
      ['c', '2', undefined],
    ]);
    expect(rb).toEqual(ra);
    await Promise.all([a.close(), b.close()]);
    expect(hub.connected).toBe(0);
  });

  it('matches Redis glob patterns and reports the pattern', async () => {
    const hub = memoryHub();
    const sub = hub.transport();
    const pub = hub.transport();
    const got: Received = [];
    await sub.connect(handlers(got));
    await sub.psubscribe(['events:miner:*:status', 'h?llo', 'k[ae]y', 'x\\*']);
    for (const channel of [
      'events:miner:1:status',
      'events:miner:1:config',
      'hello',
      'heello',
      'kay',
      'kiy',
      'x*',
      'xy',
    ]) {
      await pub.publish(channel, channel);
    }
    await waitFor(() => got.length === 4, 'four matches');
    await turn();
    expect(got.map(([channel, , pattern]) => `${channel} <- ${pattern}`)).toEqual([
      'events:miner:1:status <- events:miner:*:status',
      'hello <- h?llo',
      'kay <- k[ae]y',
      'x* <- x\\*',
    ]);
    await sub.punsubscribe(['h?llo']);
    await pub.publish('hello', 'again');
    await turn();
    expect(got).toHaveLength(4);
    expect(sub.patterns.has('h?llo')).toBe(false);
    await sub.close();
  });

  it('stops delivering what was unsubscribed or closed, even if already queued', async () => {
    const hub = memoryHub();
    const t = hub.transport();
    const got: Received = [];
    await t.connect(handlers(got));
    await t.subscribe(['c']);
    // Published (delivery queued), then unsubscribed before the delivery runs.
    const first = t.publish('c', 'queued');
    await t.unsubscribe(['c']);
    await first;
    await turn();
    expect(got).toEqual([]);
    await t.subscribe(['c']);
    const second = t.publish('c', 'queued');
    await t.close();
    await second;
    await turn();
    expect(got).toEqual([]);
    await expect(t.publish('c', 'x')).rejects.toBeInstanceOf(ClosedError);
    await expect(t.subscribe(['c'])).rejects.toBeInstanceOf(ClosedError);
  });

  it('test hooks: dropNext loses messages, simulateReconnect loses in-flight ones and signals', async () => {
    const hub = memoryHub();
    const t = hub.transport();
    const got: Received = [];
    const counters = { reconnects: 0 };
    await t.connect(handlers(got, counters));
    await t.subscribe(['c']);
    t.testing.dropNext(2);
    for (const n of ['1', '2', '3']) await t.publish('c', n);
    await waitFor(() => got.length === 1, 'the third message');
    expect(got[0]?.[1]).toBe('3');
    const inFlight = t.publish('c', 'in flight');
    t.testing.simulateReconnect();
    await inFlight;
    await waitFor(() => counters.reconnects === 1, 'the reconnect');
    await t.publish('c', 'after');
    await waitFor(() => got.length === 2, 'the message after');
    expect(got.map(([, message]) => message)).toEqual(['3', 'after']);
    expect(t.channels.has('c')).toBe(true);
    await t.close();
  });

  it('refuses a hub that memoryHub() did not create', () => {
    expect(() =>
      memoryTransport({ hub: { transport: () => memoryTransport(), connected: 0 } }),
    ).toThrow(InvalidOptionError);
  });
});
