import { InvalidKeyError, SerializationError } from '@cachekit/core';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../src/envelope.js';
import { channel, channelPattern, createBus, memoryTransport, rawPattern } from '../src/index.js';
import { turn, waitFor } from './helpers.js';

describe('channels', () => {
  it('joins parts with core key rules, escaping ids so they cannot add levels or wildcards', () => {
    expect(channel('events', 'fleet')).toBe('events:fleet');
    expect(channel('events', 'miner', 42, 'status')).toBe('events:miner:42:status');
    expect(channel('events', 'miner', 'a:b*?[x]', 'status')).toBe(
      'events:miner:a%3Ab%2A%3F%5Bx%5D:status',
    );
    expect(channel('events', 'miner', '%2A', 'status')).toBe('events:miner:%252A:status');
  });

  it('refuses empty parts, non-finite numbers, no parts and over-long names', () => {
    expect(() => channel()).toThrow(InvalidKeyError);
    expect(() => channel('events', '')).toThrow(InvalidKeyError);
    expect(() => channel('events', Number.NaN)).toThrow(InvalidKeyError);
    expect(() => channel('x'.repeat(2_000))).toThrow(InvalidKeyError);
  });

  it('builds patterns whose only wildcards are whole "*" / "?" parts', () => {
    expect(channelPattern('events', 'miner', '*', 'status').pattern).toBe('events:miner:*:status');
    expect(channelPattern('events', 'miner', 'a*', '?').pattern).toBe('events:miner:a%2A:?');
    expect(rawPattern('events:*').pattern).toBe('events:*');
    expect(() => rawPattern('')).toThrow(InvalidKeyError);
  });
});

describe('typed channels', () => {
  it('carry their payload type from publish to subscribe (checked by tsc)', async () => {
    const bus = createBus({ transport: memoryTransport() });
    const status = channel<{ up: boolean }>('events', 'miner', 1, 'status');
    const seen: boolean[] = [];
    await bus.subscribe(status, (message) => {
      const up: boolean = message.data.up;
      seen.push(up);
    });
    // @ts-expect-error the channel carries { up: boolean }, not a string
    await expect(bus.publish(status, 'status', 'up')).resolves.toBeUndefined();
    await bus.publish(status, 'status', { up: true });
    await waitFor(() => seen.length === 2, 'both messages');
    expect(seen).toEqual([undefined, true]);
    await bus.dispose();
  });
});

describe('envelope', () => {
  it('round-trips { type, data, ts, source, seq }, sending undefined data as null', () => {
    const text = encodeEnvelope('status', { up: true }, 1700, JSON.stringify('src'), 3);
    expect(JSON.parse(text)).toEqual({
      type: 'status',
      data: { up: true },
      ts: 1700,
      source: 'src',
      seq: 3,
    });
    expect(decodeEnvelope(text)).toEqual({
      ok: true,
      envelope: { type: 'status', data: { up: true }, ts: 1700, source: 'src', seq: 3 },
    });
    const empty = decodeEnvelope(encodeEnvelope('ping', undefined, 1, '"s"', 1));
    expect(empty.ok && empty.envelope.data).toBeNull();
  });

  it.each([
    ['not JSON', '{oops', 'not JSON'],
    ['an array', '[1,2]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['no type', '{"data":1,"ts":1,"source":"s","seq":1}', '"type" is not a non-empty string'],
    ['empty type', '{"type":"","data":1,"ts":1,"source":"s","seq":1}', '"type"'],
    ['no data', '{"type":"t","ts":1,"source":"s","seq":1}', '"data" is missing'],
    ['string ts', '{"type":"t","data":1,"ts":"1","source":"s","seq":1}', '"ts"'],
    ['numeric source', '{"type":"t","data":1,"ts":1,"source":7,"seq":1}', '"source"'],
    ['zero seq', '{"type":"t","data":1,"ts":1,"source":"s","seq":0}', '"seq"'],
    ['fractional seq', '{"type":"t","data":1,"ts":1,"source":"s","seq":1.5}', '"seq"'],
  ])('rejects %s without throwing', (_name, raw, reason) => {
    const decoded = decodeEnvelope(raw);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.reason).toContain(reason);
  });

  it('refuses unserializable data with SerializationError, publishing nothing and using no seq', async () => {
    const transport = memoryTransport();
    const bus = createBus({ transport });
    const received: number[] = [];
    await bus.subscribe('c', (message) => {
      received.push(message.seq);
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(bus.publish('c', 't', 10n)).rejects.toBeInstanceOf(SerializationError);
    await expect(bus.publish('c', 't', cyclic)).rejects.toBeInstanceOf(SerializationError);
    await expect(bus.publish('c', 't', () => 1)).rejects.toBeInstanceOf(SerializationError);
    await bus.publish('c', 't', 'ok');
    await waitFor(() => received.length > 0, 'the valid message');
    await turn();
    await bus.dispose();
    expect(received).toEqual([1]);
    expect(bus.stats().published).toBe(1);
  });
});
