import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FleetSource } from './fleet-source.js';
import { configUri, FIRMWARE_URI, SUMMARY_URI, statusUri } from './mcp-uris.js';

/** What `warm_cache` did. */
export interface WarmReport {
  /** Miner statuses read through the cache. */
  statuses: number;
  /** Miner configs read through the cache. */
  configs: number;
  /** The fleet summary (0 or 1). */
  summary: number;
  /** The firmware versions (0 or 1). */
  firmware: number;
  /** Source calls made by this instance while warming (another client's reads count too). */
  sourceCalls: number;
  /** Resources that could not be read, with the reason (an unknown miner id...). */
  failed: string[];
  /** Time taken, in ms. */
  ms: number;
}

type Counter = 'statuses' | 'configs' | 'summary' | 'firmware';

/** Options of {@link warmResources}. */
export interface WarmOptions {
  /** A new MCP server of this process (a session of the hub). */
  readonly createServer: () => McpServer;
  readonly source: FleetSource;
  readonly minerIds: readonly string[];
  /** Reads in flight at once. Default: 8. */
  readonly concurrency?: number;
}

/**
 * Reads every resource of `minerIds`, the summary and the firmware versions through an in-process
 * MCP client of this server, so that they take the path of any client's read (the hub's cache):
 * the next reads of any session, on any instance sharing the store, are hits.
 */
export async function warmResources(options: WarmOptions): Promise<WarmReport> {
  const began = performance.now();
  const callsBefore = options.source.totalCalls;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = options.createServer();
  const client = new Client({ name: 'fleet-warm-cache', version: '1.0.0' });
  const report: WarmReport = {
    statuses: 0,
    configs: 0,
    summary: 0,
    firmware: 0,
    sourceCalls: 0,
    failed: [],
    ms: 0,
  };
  const jobs: Array<readonly [string, Counter]> = [
    [SUMMARY_URI, 'summary'],
    [FIRMWARE_URI, 'firmware'],
    ...options.minerIds.flatMap(
      (id): Array<readonly [string, Counter]> => [
        [statusUri(id), 'statuses'],
        [configUri(id), 'configs'],
      ],
    ),
  ];
  try {
    await server.connect(serverSide);
    await client.connect(clientSide);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
        const [uri, counter] = job;
        try {
          await client.readResource({ uri });
          report[counter]++;
        } catch (error) {
          report.failed.push(`${uri}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  } finally {
    await client.close();
    await server.close();
  }
  report.sourceCalls = options.source.totalCalls - callsBefore;
  report.ms = Math.round(performance.now() - began);
  return report;
}
