import type { McpSession } from '@cachekit/mcp';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ConfigWriter } from './config-writer.js';
import { ConfigNotInvalidatedError, UnknownMinerError } from './errors.js';
import { FAN_MODES, type MinerConfig, POWER_TARGET_RANGE } from './fleet-model.js';
import { configUri, MINER_ID, SUMMARY_URI } from './mcp-uris.js';
import type { WarmReport } from './mcp-warm.js';
import { POOL_URL_PATTERN } from './schemas.js';

/** What the tools do their work with. */
export interface ToolDeps {
  /** The write-through path of `PUT /miners/:minerId/config`. */
  readonly writeConfig: ConfigWriter;
  /** Reads resources through the cache (the hub), so that the next reads are hits. */
  readonly warm: (minerIds: readonly string[] | undefined) => Promise<WarmReport>;
}

const minerId = z
  .string()
  .regex(MINER_ID, 'a miner id is 1-64 letters, digits, "_", "." or "-", e.g. m-001');

/** Input of `update_miner_config`: the miner and its full config, as `PUT` takes it. */
const updateInput = z
  .object({
    minerId,
    poolUrl: z
      .string()
      .max(256)
      .regex(new RegExp(POOL_URL_PATTERN), 'a stratum URL such as stratum+tcp://pool.example:3333'),
    powerTargetW: z.number().int().min(POWER_TARGET_RANGE.min).max(POWER_TARGET_RANGE.max),
    fanMode: z.enum(FAN_MODES as [MinerConfig['fanMode'], ...MinerConfig['fanMode'][]]),
  })
  .strict();
type UpdateInput = z.infer<typeof updateInput>;

/** Input of `warm_cache`: the miners to warm (default: all). */
const warmInput = z.object({ minerIds: z.array(minerId).max(10_000).optional() }).strict();
type WarmInput = z.infer<typeof warmInput>;

const text = (value: unknown): CallToolResult['content'] => [
  { type: 'text', text: JSON.stringify(value) },
];

/** A tool result that says what went wrong and what to do (`isError`: the model sees it). */
const failure = (message: string): CallToolResult => ({
  isError: true,
  content: [{ type: 'text', text: message }],
});

/**
 * `update_miner_config` (write-through, then the config and the fleet summary are invalidated
 * and their subscribers notified, on every instance) and `warm_cache`.
 */
export function registerTools(session: McpSession, deps: ToolDeps): void {
  session.tool(
    'update_miner_config',
    {
      title: 'Update a miner config',
      description:
        'Replaces the config of one miner (poolUrl, powerTargetW, fanMode; all three required). The fleet summary and the miner config resource change with it; their subscribers are notified.',
      inputSchema: updateInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    async (input: UpdateInput): Promise<CallToolResult> => {
      const { minerId: id, ...config } = input;
      try {
        const stored = await deps.writeConfig(id, config);
        return {
          content: text({ minerId: id, config: stored }),
          structuredContent: { minerId: id, config: stored },
        };
      } catch (error) {
        if (error instanceof UnknownMinerError || error instanceof ConfigNotInvalidatedError) {
          return failure(error.message);
        }
        throw error;
      }
    },
    {
      invalidates: {
        uris: (input: UpdateInput) => [configUri(input.minerId), SUMMARY_URI],
      },
    },
  );

  session.tool(
    'warm_cache',
    {
      title: 'Warm the cache',
      description:
        'Reads the status and config of the given miners (default: all), the fleet summary and the firmware versions through the cache, so that the next reads are hits. Reports how many of each were warmed and how many source calls it took.',
      inputSchema: warmInput,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    async (input: WarmInput): Promise<CallToolResult> => {
      const report = await deps.warm(input.minerIds);
      const result = report.failed.length === 0 ? {} : { isError: true };
      return {
        ...result,
        content: text(report),
        structuredContent: { ...report },
      };
    },
  );
}
