import type { Cache } from '@cachekit/core';
import { createMcpHub, type McpHub } from '@cachekit/mcp';
import type { Bus } from '@cachekit/pubsub';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ConfigWriter } from './config-writer.js';
import type { FleetSource } from './fleet-source.js';
import { registerResources } from './mcp-resources.js';
import { registerTools } from './mcp-tools.js';
import { configUri, SUMMARY_URI, statusUri } from './mcp-uris.js';
import { warmResources } from './mcp-warm.js';

/** Options of {@link createFleetMcp}. */
export interface FleetMcpOptions {
  /** The app's root cache: the hub keeps its entries in its `mcp` namespace (tags and events are shared). */
  readonly cache: Cache;
  /** The app's bus: notifications reach the subscribers of every instance through it. */
  readonly bus: Bus;
  /** Channel of the hub's messages; instances forming one service share it. */
  readonly channel: string;
  readonly source: FleetSource;
  /** The write-through path shared with `PUT /miners/:minerId/config`. */
  readonly writeConfig: ConfigWriter;
  /** Told about errors the hub cannot throw to anyone (a notification not sent, the bus). */
  readonly onError: (error: Error) => void;
}

/** The MCP side of one app instance: one hub, a server per session. */
export interface FleetMcp {
  readonly hub: McpHub;
  /** A new MCP server with the fleet's resources and tools, attached to the hub: one per session. */
  createServer(): McpServer;
  /**
   * Tells every subscriber (every instance) that these miners' statuses changed, and drops their
   * cached copies. Called by the instance that made the change only, so each change notifies once.
   */
  statusesChanged(minerIds: readonly string[]): Promise<void>;
  /** The same for a miner's config and the fleet summary (after a `PUT`). */
  configChanged(minerId: string): Promise<void>;
  /** Resolves once the hub listens to the bus (other instances' changes). */
  ready(): Promise<void>;
  /** Closes the hub (its bus subscription); servers close with their sessions. */
  close(): Promise<void>;
}

const INFO = { name: 'cachekit-fleet', title: 'cachekit fleet demo', version: '1.0.0' };
const INSTRUCTIONS =
  'A simulated fleet of Bitcoin miners. Read braiins:///miner/{minerId}/status and braiins:///miner/{minerId}/config ' +
  '(resources/list lists every miner), braiins:///fleet/summary and braiins:///firmware/versions. Subscribe to a ' +
  "miner's status to be told when it changes. update_miner_config changes a config; warm_cache preloads the cache.";

/** The fleet's MCP server factory and hub, on the app's cache and bus. */
export function createFleetMcp(options: FleetMcpOptions): FleetMcp {
  const { cache, bus, channel, source, writeConfig, onError } = options;
  const hub = createMcpHub({ cache, bus, channel, onError });

  const createServer = (): McpServer => {
    const server = new McpServer(INFO, {
      capabilities: { resources: { subscribe: true, listChanged: true }, tools: {} },
      instructions: INSTRUCTIONS,
    });
    const session = hub.attach(server);
    registerResources(session, { source });
    registerTools(session, {
      writeConfig,
      warm: async (minerIds) =>
        warmResources({
          createServer,
          source,
          minerIds: minerIds ?? (await source.miners()).map((miner) => miner.id),
        }),
    });
    return server;
  };

  return {
    hub,
    createServer,
    statusesChanged: async (minerIds) => {
      if (minerIds.length > 0) await hub.resourceUpdated(minerIds.map(statusUri));
    },
    configChanged: (minerId) => hub.resourceUpdated([configUri(minerId), SUMMARY_URI]),
    ready: () => hub.ready(),
    close: () => hub.close(),
  };
}
