import { type Cache, createCache } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { createMcpHub, type McpHub } from '@cachekit/mcp';
import { type Bus, createBus } from '@cachekit/pubsub';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { MCP_TEMPLATE, MCP_URI } from './mcp-reader.js';

/** One instance of an MCP service: its own Redis client, bus, cache and hub. */
interface Instance {
  readonly hub: McpHub;
  readonly server: McpServer;
  close(): Promise<void>;
}

async function instance(redisUrl: string, channel: string): Promise<Instance> {
  const client = new Redis(redisUrl);
  const bus: Bus = createBus({ transport: ioredisTransport({ client }) });
  const cache: Cache = createCache({ store: ioredisStore({ client }), namespace: 'b10-fanout' });
  const hub = createMcpHub({ cache, bus, channel });
  const server = new McpServer(
    { name: 'bench', version: '1.0.0' },
    { capabilities: { resources: { subscribe: true, listChanged: true } } },
  );
  hub
    .attach(server)
    .resource(
      'miner-status',
      new ResourceTemplate(MCP_TEMPLATE, { list: undefined }),
      {},
      (uri) => ({ contents: [{ uri: uri.href, text: '{}' }] }),
      { ttl: 60_000 },
    );
  const close = async (): Promise<void> => {
    await server.close();
    await hub.close();
    await cache.close();
    await bus.dispose();
    await client.quit();
  };
  try {
    await hub.ready();
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { hub, server, close };
}

/** Options of {@link measureFanout}. */
export interface FanoutOptions {
  readonly redisUrl: string;
  /** Notifications timed (after a few untimed ones). */
  readonly samples: number;
  /** Bus channel of the two hubs. */
  readonly channel: string;
}

/**
 * Notification fan-out across two instances: two hubs, each with its own ioredis client, bus
 * (`ioredisTransport`) and cache on one Redis; a real `Client` of instance B (in-memory
 * transport) subscribes to {@link MCP_URI}; then, one at a time, `hubA.resourceUpdated(uri)` is
 * called and the time until B's client receives `notifications/resources/updated` is recorded
 * (ms, `performance.now()` in this one process). Throws unless every call produced exactly one
 * notification on B.
 */
export async function measureFanout(options: FanoutOptions): Promise<number[]> {
  const a = await instance(options.redisUrl, options.channel);
  let b: Instance | undefined;
  const client = new Client({ name: 'bench-subscriber', version: '1.0.0' });
  try {
    b = await instance(options.redisUrl, options.channel);
    let received = 0;
    let arrived: ((at: number) => void) | undefined;
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      if (notification.params.uri !== MCP_URI) return;
      received++;
      arrived?.(performance.now());
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await b.server.connect(serverSide);
    await client.connect(clientSide);
    await client.subscribeResource({ uri: MCP_URI });
    const warmup = Math.min(20, options.samples);
    const samples: number[] = [];
    for (let i = 0; i < warmup + options.samples; i++) {
      let timer: NodeJS.Timeout | undefined;
      const at = new Promise<number>((resolve, reject) => {
        arrived = resolve;
        timer = setTimeout(() => reject(new Error('no notification on B within 2 s')), 2000);
      });
      const started = performance.now();
      await a.hub.resourceUpdated(MCP_URI);
      const ms = (await at.finally(() => clearTimeout(timer))) - started;
      if (i >= warmup) samples.push(ms);
    }
    if (received !== warmup + options.samples) {
      throw new Error(
        `B's client got ${received} notifications for ${warmup + options.samples} changes on A`,
      );
    }
    return samples;
  } finally {
    await client.close().catch(() => undefined);
    await b?.close();
    await a.close();
  }
}
