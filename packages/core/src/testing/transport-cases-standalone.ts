import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ClosedError } from '../errors.js';
import { rawPublish } from './raw-publish.js';
import { clientsNamed, recorder, type TransportSuite, uniqueName } from './transport-suite.js';
import type { TransportNode } from './transport-types.js';
import { waitFor } from './wait.js';

/** Delivery, handler failures and the lifecycle, on a server shared with other tests. */
export function registerStandaloneTransportCases(suite: TransportSuite): void {
  suite.test('delivers exact channels and patterns, and stops after unsubscribe', async (ctx) => {
    // Classic channels are not keys: a client keyPrefix changes nothing here.
    const { transport } = await ctx.create({ keyPrefix: 'app:' });
    const seen = recorder();
    assert.deepEqual(transport.capabilities, { patterns: true, local: false });
    assert.equal(transport.sharded, false);
    await transport.connect(seen.handlers);
    const id = randomUUID();
    await transport.subscribe([`ck:${id}:a`, `ck:${id}:a`]);
    await transport.psubscribe([`ck:${id}:p:*`]);
    await transport.psubscribe([`ck:${id}:p:*`]);
    await transport.publish(`ck:${id}:a`, 'one');
    await transport.publish(`ck:${id}:p:x`, 'two');
    await transport.publish(`ck:${id}:other`, 'ignored');
    await waitFor(() => seen.received.length >= 2, { message: 'two messages' });
    assert.deepEqual(seen.received, [
      [`ck:${id}:a`, 'one', undefined],
      [`ck:${id}:p:x`, 'two', `ck:${id}:p:*`],
    ]);

    await transport.unsubscribe([`ck:${id}:a`]);
    await transport.punsubscribe([`ck:${id}:p:*`]);
    await transport.subscribe([`ck:${id}:marker`]);
    await transport.publish(`ck:${id}:a`, 'late');
    await transport.publish(`ck:${id}:p:y`, 'late');
    await transport.publish(`ck:${id}:marker`, 'end');
    // The marker was published last on the same connection: once it is here, the others would be.
    await waitFor(() => seen.messages(`ck:${id}:marker`).length === 1, { message: 'the marker' });
    assert.deepEqual(seen.texts(), ['one', 'two', 'end']);
    assert.deepEqual(seen.errors, []);
    await transport.close();
  });

  suite.test(
    'delivers a malformed payload published by another program as a string',
    async (ctx) => {
      const { transport } = await ctx.create();
      const seen = recorder();
      await transport.connect(seen.handlers);
      const channel = `ck:${randomUUID()}:raw`;
      await transport.subscribe([channel]);
      const server = ctx.nodes()[0] as TransportNode;
      await rawPublish(server, channel, '{"type":"x","data":');
      // Raw bytes that are not UTF-8.
      await rawPublish(server, channel, Uint8Array.from([0xff, 0xfe, 0x00, 0x41]));
      await waitFor(() => seen.received.length === 2, { message: 'both raw messages' });
      const [first, second] = seen.messages(channel);
      assert.equal(first, '{"type":"x","data":');
      assert.equal(typeof second, 'string');
      assert.ok(second?.includes('A'), `the raw message arrived as ${JSON.stringify(second)}`);
      await transport.close();
    },
  );

  suite.test('a throwing handler is reported and delivery goes on', async (ctx) => {
    const { transport } = await ctx.create();
    const seen = recorder();
    let calls = 0;
    await transport.connect({
      ...seen.handlers,
      message: (channel, message, pattern) => {
        calls += 1;
        if (calls === 1) throw new Error('handler bug');
        seen.handlers.message(channel, message, pattern);
      },
    });
    const channel = `ck:${randomUUID()}`;
    await transport.subscribe([channel]);
    await transport.publish(channel, '1');
    await transport.publish(channel, '2');
    await waitFor(() => seen.received.length === 1, { message: 'the second message' });
    assert.deepEqual(seen.messages(channel), ['2']);
    assert.deepEqual(
      seen.errors.map((e) => (e.cause as Error).message),
      ['handler bug'],
    );
    // Reported by the transport as a handler failure, not as a connection error.
    assert.match(seen.errors[0]?.message ?? '', /the message handler threw/);
    await transport.close();
  });

  suite.test(
    'close() drops only its own connection, is idempotent and ends its use',
    async (ctx) => {
      const name = uniqueName();
      const server = ctx.nodes()[0] as TransportNode;
      const fixture = await ctx.create({ connectionName: name });
      const { transport } = fixture;
      assert.equal(transport.subscriber, undefined);
      await assert.rejects(transport.subscribe(['x']), /before connect/);
      await transport.connect(recorder().handlers);
      await transport.subscribe([`ck:${name}`]);
      const flags = async () =>
        (await clientsNamed(ctx, server, name)).map((e) => e.get('flags')).sort();
      assert.deepEqual(await flags(), ['N', 'P']);
      await Promise.all([transport.close(), transport.close()]);
      await transport.close();
      assert.equal(transport.subscriber, undefined);
      await waitFor(async () => (await flags()).length === 1, { message: 'the subscriber gone' });
      assert.deepEqual(await flags(), ['N']);
      await fixture.alive();
      await assert.rejects(transport.publish('x', 'y'), ClosedError);
      await assert.rejects(transport.subscribe(['x']), ClosedError);
      assert.equal(await transport.unsubscribe(['x']), undefined);
    },
  );

  suite.test('connect() without Redis rejects and leaves nothing running', async (ctx) => {
    const { transport } = await ctx.create({ unreachable: true });
    await assert.rejects(transport.connect(recorder().handlers), /subscriber connection failed/);
    assert.equal(transport.subscriber, undefined);
    await transport.close();
  });
}
