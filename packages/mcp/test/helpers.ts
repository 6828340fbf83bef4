import { type Cache, createCache, EPHEMERAL, MODERATE, type Store } from '@cachekit/core';
import { waitFor } from '@cachekit/redis-testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach } from 'vitest';
import { z } from 'zod';
import type { McpHub, McpSession } from '../src/index.js';

export const SERVER_OPTIONS = {
  capabilities: { resources: { subscribe: true, listChanged: true }, tools: {} },
} as const;

/** A client connected over the SDK's in-memory transport to a server attached to `hub`. */
export interface Connection {
  readonly server: McpServer;
  readonly session: McpSession;
  readonly client: Client;
  /** URIs of `notifications/resources/updated` received, in order. */
  readonly updates: string[];
  /** Count of `notifications/resources/list_changed` received. */
  readonly listChanges: { count: number };
  close(): Promise<void>;
}

/**
 * Connects a real SDK `Client` to a new `McpServer` attached to `hub`. With `authInfo`, every
 * message the client sends carries it, as an HTTP transport with bearer auth would.
 */
export async function connect(
  hub: McpHub,
  register: (session: McpSession) => void,
  authInfo?: AuthInfo,
  beforeAttach?: (server: McpServer) => void,
): Promise<Connection> {
  const server = new McpServer({ name: 'fleet-test', version: '1.0.0' }, SERVER_OPTIONS);
  beforeAttach?.(server);
  const session = hub.attach(server);
  register(session);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  if (authInfo !== undefined) {
    const send = clientTransport.send.bind(clientTransport);
    clientTransport.send = (message, options) => send(message, { ...options, authInfo });
  }
  const client = new Client({ name: 'agent', version: '1.0.0' });
  const updates: string[] = [];
  const listChanges = { count: 0 };
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updates.push(notification.params.uri);
  });
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    listChanges.count++;
  });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return { server, session, client, updates, listChanges, close: () => client.close() };
}

/** The fleet's source of truth, counting calls. */
export class FleetSource {
  readonly calls = { status: 0, config: 0, summary: 0, list: 0, stats: 0 };
  readonly status: Map<string, { hashrate: number; changedAt: string }> = new Map();
  readonly config: Map<string, { fanSpeed: number }> = new Map();

  constructor(ids: readonly string[] = ['m1', 'm2', 'm3']) {
    ids.forEach((id, index) => {
      this.status.set(id, { hashrate: 100 + index, changedAt: '2024-05-01T10:00:00.000Z' });
      this.config.set(id, { fanSpeed: 50 });
    });
  }
}

export const MINER_ID: RegExp = /^[A-Za-z0-9-]{1,64}$/;
export const statusUri = (id: string): string => `braiins:///miner/${id}/status`;
export const configUri = (id: string): string => `braiins:///miner/${id}/config`;
export const SUMMARY_URI = 'braiins:///fleet/summary';

const json = (uri: string, value: unknown) => ({
  contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }],
});

/** Registers the demo's resources and tools on a session, reading `source`. */
export function registerFleet(session: McpSession, source: FleetSource): void {
  session.resource(
    'miner-status',
    new ResourceTemplate('braiins:///miner/{minerId}/status', {
      list: async () => {
        source.calls.list++;
        return {
          resources: [...source.status].map(([id, status]) => ({
            uri: statusUri(id),
            name: id,
            annotations: { lastModified: status.changedAt },
          })),
        };
      },
      complete: {
        minerId: (value) => [...source.status.keys()].filter((id) => id.startsWith(value)),
      },
    }),
    { mimeType: 'application/json' },
    async (uri, { minerId }) => {
      source.calls.status++;
      const status = source.status.get(String(minerId));
      if (status === undefined) throw new Error(`Unknown miner ${String(minerId)}`);
      return json(uri.href, status);
    },
    {
      policy: EPHEMERAL,
      tags: ({ minerId }) => [`miner:${String(minerId)}`, 'fleet'],
      variables: { minerId: (id) => MINER_ID.test(id) },
    },
  );
  session.resource(
    'miner-config',
    new ResourceTemplate('braiins:///miner/{minerId}/config', { list: undefined }),
    { mimeType: 'application/json' },
    async (uri, { minerId }) => {
      source.calls.config++;
      return json(uri.href, source.config.get(String(minerId)) ?? null);
    },
    { policy: MODERATE, variables: { minerId: (id) => MINER_ID.test(id) } },
  );
  session.resource(
    'fleet-summary',
    SUMMARY_URI,
    { mimeType: 'application/json' },
    async (uri) => {
      source.calls.summary++;
      const fans = [...source.config.values()].map((config) => config.fanSpeed);
      return json(uri.href, { miners: source.config.size, fans });
    },
    { policy: MODERATE, tags: ['fleet'] },
  );
  session.tool(
    'update_miner_config',
    {
      description: 'Sets a miner fan speed (write-through, notifies subscribers).',
      inputSchema: {
        minerId: z.string().regex(MINER_ID),
        fanSpeed: z.number().int().min(0).max(100),
      },
    },
    async ({ minerId, fanSpeed }) => {
      if (!source.config.has(minerId)) {
        return { content: [{ type: 'text', text: `Unknown miner ${minerId}` }], isError: true };
      }
      source.config.set(minerId, { fanSpeed });
      return { content: [{ type: 'text', text: 'ok' }] };
    },
    { invalidates: { uris: ({ minerId }) => [configUri(minerId), SUMMARY_URI] } },
  );
  session.tool(
    'miner_stats',
    {
      description: 'Read-only statistics over a set of miners.',
      inputSchema: {
        minerIds: z.array(z.string()),
        window: z.object({ from: z.number(), to: z.number() }),
      },
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    async ({ minerIds }) => {
      source.calls.stats++;
      const unknown = minerIds.filter((id) => !source.status.has(id));
      if (unknown.length > 0) {
        return {
          content: [{ type: 'text', text: `Unknown miners ${unknown.join(',')}` }],
          isError: true,
        };
      }
      const total = minerIds.reduce((sum, id) => sum + (source.status.get(id)?.hashrate ?? 0), 0);
      return { content: [{ type: 'text', text: String(total) }] };
    },
    { cache: { policy: EPHEMERAL } },
  );
}

/** The text of the first content item of a read. */
export function text(result: { contents: readonly unknown[] }): unknown {
  const first = result.contents[0] as { text?: string } | undefined;
  return JSON.parse(first?.text ?? 'null');
}

/** A cache on `store` that records the keys it writes. */
export function recordingCache(store?: Store): { cache: Cache; sets: string[] } {
  const cache = createCache(store === undefined ? {} : { store });
  const sets: string[] = [];
  cache.on('set', (event) => {
    sets.push(event.key);
  });
  return { cache, sets };
}

/** Polls `check` until it is true (deadline `timeoutMs`, default 2 s): events, never sleeps. */
export const until = (
  check: () => boolean,
  description: string,
  timeoutMs = 2_000,
): Promise<true> => waitFor(() => check() || undefined, { timeoutMs, intervalMs: 5, description });

/**
 * The hub and connections a test file's tests open, closed after each test: call once at the top
 * of the file and set `hub` / push `connections` in the tests.
 */
export function closeAfterEach(): { hub?: McpHub; connections: Connection[] } {
  const open: { hub?: McpHub; connections: Connection[] } = { connections: [] };
  afterEach(async () => {
    await Promise.all(open.connections.map((connection) => connection.close()));
    open.connections = [];
    await open.hub?.close();
  });
  return open;
}
