import { afterEach, describe, expect, it } from 'vitest';
import { channel, channelPattern, type Gap, type MalformedEvent } from '../src/index.js';
import { cluster, disposeAll, type Node, turn, waitFor } from './helpers.js';

let nodes: Node[] = [];
afterEach(async () => {
  await disposeAll(nodes);
  nodes = [];
});

describe('gap signal', () => {
  it('signals one reconnect gap for every subscription, to onGap and to every stream', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const gaps: Gap[] = [];
    b.bus.onGap((gap) => gaps.push(gap));
    await b.bus.subscribe('x', () => {});
    const s1 = b.bus.stream('y');
    const s2 = b.bus.stream(channelPattern('z', '*'));
    await Promise.all([s1.ready, s2.ready]);
    b.transport.testing.simulateReconnect();
    await waitFor(() => gaps.length === 1, 'the gap');
    expect(gaps[0]).toEqual({
      kind: 'gap',
      reason: 'reconnect',
      channel: undefined,
      subscription: undefined,
      source: undefined,
      missed: undefined,
    });
    expect((await s1.next()).value).toMatchObject({ kind: 'gap', reason: 'reconnect' });
    expect((await s2.next()).value).toMatchObject({ kind: 'gap', reason: 'reconnect' });
    expect(b.bus.stats()).toMatchObject({ gaps: 1, reconnects: 1 });
    // Still subscribed: the transport restored its subscriptions.
    await a.bus.publish('y', 't', 'after');
    expect((await s1.next()).value).toMatchObject({ kind: 'message', data: 'after' });
  });

  it('signals a sequence gap when a known source skips numbers on a channel', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const gaps: Gap[] = [];
    b.bus.onGap((gap) => gaps.push(gap));
    const ch = channel('events', 'miner', 9, 'status');
    const other = channel('events', 'fleet');
    const stream = b.bus.stream<number>(ch);
    const got: number[] = [];
    await b.bus.subscribe<number>(other, (m) => {
      got.push(m.seq);
    });
    await stream.ready;
    await a.bus.publish(ch, 'status', 1);
    b.transport.testing.dropNext(2); // lost on the way to b only
    await a.bus.publish(ch, 'status', 2);
    await a.bus.publish(ch, 'status', 3);
    await a.bus.publish(ch, 'status', 4);
    await a.bus.publish(other, 'fleet', 0); // another channel: its own numbering, no gap
    await waitFor(() => got.length === 1 && stream.buffered === 2, 'deliveries');
    expect(gaps).toEqual([
      {
        kind: 'gap',
        reason: 'sequence',
        channel: ch,
        subscription: ch,
        source: 'node-0',
        missed: 2,
      },
    ]);
    const items = [await stream.next(), await stream.next(), await stream.next()].map(
      (r) => r.value,
    );
    expect(items.map((item) => (item?.kind === 'message' ? item.data : item?.kind))).toEqual([
      1,
      'gap',
      4,
    ]);
    expect(got).toEqual([1]);
  });

  it('treats the first message of a source as a start, not a gap', async () => {
    nodes = cluster(3);
    const [a, b, c] = nodes as [Node, Node, Node];
    const gaps: Gap[] = [];
    c.bus.onGap((gap) => gaps.push(gap));
    await a.bus.publish('c', 't', 1); // before c listens: seq 1 never seen
    await a.bus.publish('c', 't', 2);
    const got: string[] = [];
    await c.bus.subscribe('c', (m) => {
      got.push(`${m.source}#${m.seq}`);
    });
    await a.bus.publish('c', 't', 3);
    await b.bus.publish('c', 't', 1);
    await waitFor(() => got.length === 2, 'two messages');
    expect(got).toEqual(['node-0#3', 'node-1#1']);
    expect(gaps).toEqual([]);
  });
});

describe('malformed messages', () => {
  it('drops, counts and reports them; handlers never see them and the bus keeps serving', async () => {
    nodes = cluster(2);
    const [a, b] = nodes as [Node, Node];
    const malformed: MalformedEvent[] = [];
    b.bus.on('malformed', (event) => malformed.push(event));
    const got: unknown[] = [];
    await b.bus.subscribe('c', (m) => {
      got.push(m.data);
    });
    const stream = b.bus.stream(channelPattern('*'));
    await stream.ready;
    const bad = [
      'not json',
      '42',
      '{"type":"t"}',
      '{"type":1,"data":1,"ts":1,"source":"s","seq":1}',
      '{"type":"t","data":1,"ts":1,"source":"s","seq":-1}',
      `{"type":"t","data":"${'x'.repeat(1_000)}",`,
    ];
    // Straight onto the transport, as redis-cli PUBLISH would.
    for (const raw of bad) await a.transport.publish('c', raw);
    await a.bus.publish('c', 'ok', 'still serving');
    await waitFor(() => got.length === 1, 'the valid message');
    await turn();
    expect(got).toEqual(['still serving']);
    // Each subscription that received them counted them (exact + pattern).
    expect(b.bus.stats().malformed).toBe(bad.length * 2);
    expect(malformed).toHaveLength(bad.length * 2);
    expect(malformed[0]).toEqual({
      channel: 'c',
      pattern: undefined,
      reason: 'not JSON',
      raw: 'not json',
    });
    expect(malformed.find((e) => e.pattern === '*')).toMatchObject({ channel: 'c', pattern: '*' });
    expect(malformed.at(-1)?.raw).toHaveLength(256);
    expect(stream.buffered).toBe(1);
    expect((await stream.next()).value).toMatchObject({ kind: 'message', data: 'still serving' });
    await stream.close();
  });

  it('survives a throwing malformed listener', async () => {
    nodes = cluster(1);
    const [{ bus, transport }] = nodes as [Node];
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      bus.on('malformed', () => {
        throw new Error('listener bug');
      });
      const got: unknown[] = [];
      await bus.subscribe('c', (m) => {
        got.push(m.data);
      });
      await transport.publish('c', '{');
      await bus.publish('c', 't', 'fine');
      await waitFor(() => got.length === 1 && warnings.length === 1, 'delivery and warning');
      expect(warnings[0]).toContain('listener bug');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
