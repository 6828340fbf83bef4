import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createMcpHub, McpCapabilityError, McpSessionError } from '../src/index.js';
import {
  type Connection,
  closeAfterEach,
  connect,
  FleetSource,
  recordingCache,
  registerFleet,
  SUMMARY_URI,
  statusUri,
  text,
  until,
} from './helpers.js';

const open = closeAfterEach();

async function fleet(sessions = 1) {
  const { cache } = recordingCache();
  const hub = createMcpHub({ cache });
  const source = new FleetSource();
  open.hub = hub;
  const connections: Connection[] = [];
  for (let i = 0; i < sessions; i++) {
    const connection = await connect(hub, (session) => registerFleet(session, source));
    connections.push(connection);
    open.connections.push(connection);
  }
  return { hub, source, connections };
}

describe('resource subscriptions', () => {
  it('a subscriber receives exactly one resources/updated per change, and reads the new value', async () => {
    const { hub, source, connections } = await fleet();
    const [agent] = connections as [Connection];
    await agent.client.readResource({ uri: statusUri('m1') });
    await agent.client.subscribeResource({ uri: statusUri('m1') });
    await agent.client.subscribeResource({ uri: SUMMARY_URI });
    source.status.set('m1', { hashrate: 999, changedAt: '2024-05-03T00:00:00.000Z' });
    await hub.resourceUpdated(statusUri('m1'));
    await until(() => agent.updates.length === 1, 'the first notification');
    // A second, later change: had the first been sent twice, the duplicate would come first.
    await hub.resourceUpdated(SUMMARY_URI);
    await until(() => agent.updates.length >= 2, 'the second notification');
    expect(agent.updates).toEqual([statusUri('m1'), SUMMARY_URI]);
    expect(text(await agent.client.readResource({ uri: statusUri('m1') }))).toMatchObject({
      hashrate: 999,
    });
  });

  it('an unsubscribed session receives nothing', async () => {
    const { hub, connections } = await fleet(2);
    const [watcher, bystander] = connections as [Connection, Connection];
    await watcher.client.subscribeResource({ uri: statusUri('m1') });
    await bystander.client.subscribeResource({ uri: statusUri('m2') });
    await hub.resourceUpdated(statusUri('m1'));
    await until(() => watcher.updates.length === 1, 'the watcher notification');
    // The bystander gets its own later change: anything about m1 would have arrived before it.
    await hub.resourceUpdated(statusUri('m2'));
    await until(() => bystander.updates.length >= 1, 'the bystander notification');
    expect(bystander.updates).toEqual([statusUri('m2')]);
    expect(watcher.updates).toEqual([statusUri('m1')]);
  });

  it('unsubscribe stops notifications', async () => {
    const { hub, connections } = await fleet();
    const [agent] = connections as [Connection];
    await agent.client.subscribeResource({ uri: statusUri('m1') });
    await agent.client.subscribeResource({ uri: statusUri('m2') });
    await agent.client.unsubscribeResource({ uri: statusUri('m1') });
    await hub.resourceUpdated([statusUri('m1'), statusUri('m2')]);
    await until(() => agent.updates.length >= 1, 'the m2 notification');
    await hub.resourceUpdated(statusUri('m3'));
    await agent.client.subscribeResource({ uri: statusUri('m3') });
    await hub.resourceUpdated(statusUri('m3'));
    await until(() => agent.updates.length >= 2, 'the m3 notification');
    expect(agent.updates).toEqual([statusUri('m2'), statusUri('m3')]);
  });

  it('matches subscriptions on the canonical URI and notifies with the URI as subscribed', async () => {
    const { hub, connections } = await fleet();
    const [agent] = connections as [Connection];
    await agent.client.subscribeResource({ uri: statusUri('%6D1') });
    await hub.resourceUpdated(statusUri('m1'));
    await until(() => agent.updates.length === 1, 'the notification');
    expect(agent.updates).toEqual([statusUri('%6D1')]);
    const failure = await agent.client
      .subscribeResource({ uri: statusUri('bad%21') })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(McpError);
    expect((failure as McpError).code).toBe(-32602);
    await expect(hub.resourceUpdated(statusUri('%E0%A4%A'))).rejects.toMatchObject({
      code: 'E_INVALID_KEY',
    });
  });

  it('forgets a closed session: subscriptions cleaned up, later changes skip it', async () => {
    const { hub, connections, source } = await fleet(1);
    const [staying] = connections as [Connection];
    const closedBefore: string[] = [];
    // The application's own onclose, set before attach: the hub chains it, never replaces it.
    const leaving = await connect(
      hub,
      (session) => registerFleet(session, source),
      undefined,
      (server) => {
        server.server.onclose = () => closedBefore.push('app');
      },
    );
    await leaving.client.subscribeResource({ uri: statusUri('m1') });
    await staying.client.subscribeResource({ uri: statusUri('m1') });
    expect(hub.stats()).toMatchObject({ sessions: 2, subscriptions: 2 });
    await leaving.close();
    await until(() => hub.stats().sessions === 1, 'the session to detach');
    expect(hub.stats().subscriptions).toBe(1);
    expect(leaving.session.closed).toBe(true);
    expect(closedBefore).toEqual(['app']);
    await hub.resourceUpdated(statusUri('m1'));
    await until(() => staying.updates.length === 1, 'the remaining subscriber');
    expect(hub.stats()).toMatchObject({ notifyErrors: 0, notified: 1 });
  });

  it('keeps detaching when the application sets onclose after attach (set or chained)', async () => {
    const { hub, connections, source } = await fleet(1);
    const [staying] = connections as [Connection];
    const calls: string[] = [];
    const replacing = await connect(hub, (session) => registerFleet(session, source));
    // Set after attach, replacing whatever is there.
    replacing.server.server.onclose = () => calls.push('replacing');
    const chaining = await connect(hub, (session) => registerFleet(session, source));
    // Set after attach, chaining the handler found there.
    const previous = chaining.server.server.onclose;
    chaining.server.server.onclose = () => {
      previous?.();
      calls.push('chaining');
    };
    for (const connection of [replacing, chaining, staying]) {
      await connection.client.subscribeResource({ uri: statusUri('m1') });
    }
    expect(hub.stats()).toMatchObject({ sessions: 3, subscriptions: 3 });
    await replacing.close();
    await chaining.close();
    await until(() => calls.length === 2, "the application's handlers");
    expect(calls.sort()).toEqual(['chaining', 'replacing']);
    expect(hub.stats()).toMatchObject({ sessions: 1, subscriptions: 1 });
    expect(replacing.session.closed).toBe(true);
    expect(chaining.session.closed).toBe(true);
    await hub.resourceUpdated(statusUri('m1'));
    await until(() => staying.updates.length === 1, 'the remaining subscriber');
    expect(hub.stats()).toMatchObject({ notifyErrors: 0, notified: 1 });
  });

  it('refuses to subscribe to a URI that matches no resource of the session (-32602, as the SDK)', async () => {
    const { hub, connections } = await fleet();
    const [agent] = connections as [Connection];
    const unknown = [
      'braiins:///miner/m1/unknown',
      'braiins:///fleet/summary/extra',
      'other:///thing',
    ];
    for (const uri of unknown) {
      const failure = await agent.client.subscribeResource({ uri }).catch((error) => error);
      expect(failure, uri).toBeInstanceOf(McpError);
      expect((failure as McpError).code).toBe(ErrorCode.InvalidParams);
      expect((failure as McpError).message).toContain(`Resource ${uri} not found`);
    }
    expect(hub.stats().subscriptions).toBe(0);
    // A resource registered on the server directly (uncached, not through the hub) is known too.
    const direct = await connect(hub, (session) => {
      session.server.registerResource('plain', 'plain:///thing', {}, async (uri) => ({
        contents: [{ uri: uri.href, text: 'x' }],
      }));
    });
    open.connections.push(direct);
    await direct.client.subscribeResource({ uri: 'plain:///thing' });
    const elsewhere = await direct.client
      .subscribeResource({ uri: SUMMARY_URI })
      .catch((error) => error);
    // Registered by another session of the hub, not by this one.
    expect((elsewhere as McpError).code).toBe(ErrorCode.InvalidParams);
    expect(hub.stats().subscriptions).toBe(1);
  });

  it('caps the subscriptions of one session with an InvalidParams error', async () => {
    const hub = createMcpHub({ cache: recordingCache().cache, maxSubscriptionsPerSession: 2 });
    open.hub = hub;
    const source = new FleetSource();
    const agent = await connect(hub, (session) => registerFleet(session, source));
    open.connections.push(agent);
    await agent.client.subscribeResource({ uri: statusUri('m1') });
    await agent.client.subscribeResource({ uri: statusUri('m2') });
    await agent.client.subscribeResource({ uri: statusUri('m2') });
    await expect(agent.client.subscribeResource({ uri: statusUri('m3') })).rejects.toThrow(
      /already subscribes to 2 resources/,
    );
  });

  it('attach refuses a server without resources.subscribe, and a server attached twice', () => {
    const hub = createMcpHub({ cache: recordingCache().cache });
    open.hub = hub;
    const plain = new McpServer({ name: 'x', version: '1' }, { capabilities: { resources: {} } });
    expect(() => hub.attach(plain)).toThrow(McpCapabilityError);
    expect(() => hub.attach(plain)).toThrow(/capabilities: \{ resources: \{ subscribe: true/);
    const ok = new McpServer(
      { name: 'x', version: '1' },
      { capabilities: { resources: { subscribe: true } } },
    );
    hub.attach(ok);
    expect(() => hub.attach(ok)).toThrow(McpSessionError);
  });

  it('after close the hub refuses work and the bus-less hub notifies no one', async () => {
    const { hub } = await fleet();
    await hub.close();
    await expect(hub.resourceUpdated(statusUri('m1'))).rejects.toMatchObject({ code: 'E_CLOSED' });
    expect(hub.stats().sessions).toBe(0);
  });
});
