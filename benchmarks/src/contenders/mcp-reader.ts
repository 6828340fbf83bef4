import { type Cache, createCache, definePolicy, MODERATE } from '@cachekit/core';
import { ioredisStore } from '@cachekit/ioredis';
import { createMcpHub, type McpHub } from '@cachekit/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';

/** The template every B10 contender serves, and the one URI it reads. */
export const MCP_TEMPLATE = 'braiins:///miner/{minerId}/status';
export const MCP_URI = 'braiins:///miner/miner-0042/status';

/** Server info and the capabilities the hub needs (`resources.subscribe`). */
const INFO = { name: 'cachekit-bench', version: '1.0.0' };
const CAPABILITIES = {
  capabilities: { resources: { subscribe: true, listChanged: true }, tools: {} },
};

/** How a B10 contender's resource is served. */
export type McpReaderKind = 'uncached' | 'cached-redis' | 'cached-memory';

/** Options of {@link startMcpReader}. */
export interface McpReaderOptions {
  readonly kind: McpReaderKind;
  /** The source: resolves to the resource's JSON text (B10: after 20 ms), counted by the caller. */
  readonly load: (minerId: string) => Promise<string>;
  /** Redis for `cached-redis`. */
  readonly redisUrl: string;
  /** Key namespace of the contender's cache (one per contender). */
  readonly namespace: string;
  /** TTL of the cached entry in ms: longer than the run. */
  readonly ttlMs: number;
}

/** A started contender: a real `Client` connected over the in-memory transport. */
export interface McpReader {
  /** One `resources/read` of {@link MCP_URI}; resolves to its text. */
  read(): Promise<string>;
  /** The hub's cache (cached kinds), for checks. */
  readonly cache: Cache | undefined;
  close(): Promise<void>;
}

/**
 * One MCP server serving {@link MCP_TEMPLATE} and a real SDK `Client` reading it over
 * `InMemoryTransport`: `uncached` registers the read with the SDK's `registerResource` (every read
 * calls the source); the cached kinds register it through `@cachekit/mcp` (`hub.attach(server)`,
 * `session.resource(...)`, MODERATE policy with `ttlMs`), the cache on an ioredis store (one Redis
 * round trip per hit, no L1: the fleet demo's configuration on Redis) or on the in-process memory
 * store.
 */
export async function startMcpReader(options: McpReaderOptions): Promise<McpReader> {
  const server = new McpServer(INFO, CAPABILITIES);
  const read = async (uri: URL, variables: Record<string, string | string[]>) => {
    const id = variables.minerId;
    const text = await options.load(Array.isArray(id) ? (id[0] ?? '') : (id ?? ''));
    return {
      contents: [{ uri: uri.href, mimeType: 'application/json', text }],
    } satisfies ReadResourceResult;
  };
  const template = new ResourceTemplate(MCP_TEMPLATE, { list: undefined });
  const metadata = { mimeType: 'application/json' };
  let client: Redis | undefined;
  let cache: Cache | undefined;
  let hub: McpHub | undefined;
  if (options.kind === 'uncached') {
    server.registerResource('miner-status', template, metadata, read);
  } else {
    if (options.kind === 'cached-redis') client = new Redis(options.redisUrl);
    cache = createCache({
      namespace: options.namespace,
      ...(client === undefined ? {} : { store: ioredisStore({ client }) }),
    });
    hub = createMcpHub({ cache });
    hub.attach(server).resource('miner-status', template, metadata, read, {
      policy: definePolicy(MODERATE, { ttl: options.ttlMs }),
      variables: { minerId: (value) => /^[\w.-]{1,64}$/.test(value) },
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mcp = new Client({ name: 'bench', version: '1.0.0' });
  const close = async (): Promise<void> => {
    await mcp.close();
    await server.close();
    await hub?.close();
    await cache?.close();
    await client?.quit();
  };
  try {
    await server.connect(serverSide);
    await mcp.connect(clientSide);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return {
    cache,
    close,
    async read() {
      const result = await mcp.readResource({ uri: MCP_URI });
      const [content] = result.contents;
      return content !== undefined && 'text' in content ? content.text : '';
    },
  };
}
