import type { McpSession } from '@cachekit/mcp';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  CONFIG_POLICY,
  FIRMWARE_POLICY,
  FLEET_TAG,
  MINERS_POLICY,
  minerTag,
  STATUS_POLICY,
  SUMMARY_POLICY,
} from './cache-policies.js';
import { UnknownMinerError } from './errors.js';
import type { FleetSource } from './fleet-source.js';
import {
  CONFIG_TEMPLATE,
  configUri,
  FIRMWARE_URI,
  MINER_ID,
  STATUS_TEMPLATE,
  SUMMARY_URI,
  statusUri,
} from './mcp-uris.js';

/** What the resources read. */
export interface ResourceDeps {
  readonly source: FleetSource;
}

const JSON_TYPE = 'application/json';

/** One JSON document as a resource's contents. */
function json(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(value) }] };
}

/** The template variable `minerId` (a template may match a list: the first one). */
function minerIdOf(variables: Record<string, string | string[]>): string {
  const value = variables.minerId;
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Runs a source read; an unknown miner becomes an MCP `InvalidParams` error (never cached). */
async function known<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof UnknownMinerError)) throw error;
    throw new McpError(
      ErrorCode.InvalidParams,
      `${error.message.replace('GET /miners lists', 'resources/list lists')}`,
    );
  }
}

/** Template variable check: `false` refuses the read (InvalidParams), a string would replace the value. */
const validMinerId = (value: string): boolean => MINER_ID.test(value);

/**
 * Registers the fleet's resources on one session: a miner's status (EPHEMERAL, tagged with the
 * miner; subscribe to hear of changes) and config (EVENT_DRIVEN on `miner.config.updated`), both
 * templates listing every miner (the listing cached MODERATE); the fleet summary (tag `fleet`, dropped when a config changes)
 * and the firmware releases (STABLE). Policies are the HTTP routes' own.
 */
export function registerResources(session: McpSession, deps: ResourceDeps): void {
  const { source } = deps;
  const list = (uriOf: (id: string) => string, what: string) => async () => ({
    resources: (await source.miners()).map((miner) => ({
      uri: uriOf(miner.id),
      name: `${miner.id} ${what}`,
      title: `${miner.name} (${miner.model}, rack ${miner.rack}): ${what}`,
      mimeType: JSON_TYPE,
    })),
  });
  const variables = { minerId: validMinerId };
  // The hub caches each template's listing (the miners) under its own key, like `GET /miners`.
  const listing = { policy: MINERS_POLICY };

  session.resource(
    'miner-status',
    new ResourceTemplate(STATUS_TEMPLATE, { list: list(statusUri, 'status') }),
    {
      title: 'Miner status',
      description:
        'Live status of one miner: hashrate, temperature, fan speed, online, updatedAt. Up to 10 s old; subscribe to be told when it changes.',
      mimeType: JSON_TYPE,
    },
    async (uri: URL, vars: Record<string, string | string[]>) =>
      json(uri, await known(() => source.status(minerIdOf(vars)))),
    {
      policy: STATUS_POLICY,
      tags: (vars: Record<string, string | string[]>) => [minerTag(minerIdOf(vars))],
      variables,
      list: listing,
    },
  );

  session.resource(
    'miner-config',
    new ResourceTemplate(CONFIG_TEMPLATE, { list: list(configUri, 'config') }),
    {
      title: 'Miner config',
      description:
        'The writable config of one miner: poolUrl, powerTargetW, fanMode. Change it with the update_miner_config tool.',
      mimeType: JSON_TYPE,
    },
    async (uri: URL, vars: Record<string, string | string[]>) =>
      json(uri, await known(() => source.config(minerIdOf(vars)))),
    {
      policy: CONFIG_POLICY,
      tags: (vars: Record<string, string | string[]>) => [minerTag(minerIdOf(vars))],
      variables,
      list: listing,
    },
  );

  session.resource(
    'fleet-summary',
    SUMMARY_URI,
    {
      title: 'Fleet summary',
      description:
        'Miners online, total hashrate, average temperature, total power target, fan modes and pools over the whole fleet.',
      mimeType: JSON_TYPE,
    },
    async (uri: URL) => json(uri, await source.summary()),
    { policy: SUMMARY_POLICY, tags: [FLEET_TAG] },
  );

  session.resource(
    'firmware-versions',
    FIRMWARE_URI,
    {
      title: 'Firmware versions',
      description: 'Firmware releases: version, channel, release date, models.',
      mimeType: JSON_TYPE,
    },
    async (uri: URL) => json(uri, { versions: await source.firmware() }),
    { policy: FIRMWARE_POLICY },
  );
}
