import { InvalidOptionError } from '@cachekit/core';
import type { ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type {
  AnySchema,
  SchemaOutput,
  ShapeOutput,
  ZodRawShapeCompat,
} from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, sha256 } from './canonical-json.js';
import type { HubContext } from './context.js';
import { getOrSetCacheable, isErrorResult } from './not-cached.js';
import { assertCacheSettings, entryOptions, scopeParts } from './scope.js';
import type { CacheSettings, McpExtra } from './types.js';

/** The validated input a tool handler receives for an `inputSchema` (undefined without one). */
export type ToolInput<Args> = Args extends ZodRawShapeCompat
  ? ShapeOutput<Args>
  : Args extends AnySchema
    ? SchemaOutput<Args>
    : undefined;

/** Caching of a read-only, idempotent tool: results keyed by a stable hash of the validated input. */
export interface ToolCacheOptions<Input = unknown> extends CacheSettings {
  /** Tags of the cached result, or a function of the input. Default: none. */
  tags?: readonly string[] | ((input: Input) => readonly string[]);
}

/** What a mutating tool invalidates after it succeeded (not after a throw or an `isError` result). */
export interface ToolInvalidation<Input = unknown> {
  /** Tags to invalidate (O(1) each, in every process). Default: none. */
  tags?: (input: Input) => readonly string[];
  /** Resource URIs to invalidate and notify their subscribers of, via `hub.resourceUpdated`. Default: none. */
  uris?: (input: Input) => readonly string[];
}

/** The cachekit options of `session.tool(...)`; give `cache` or `invalidates`, not both. */
export interface ToolOptions<Input = unknown> {
  /** Cache results (only for read-only, idempotent tools). Default: not cached. */
  cache?: ToolCacheOptions<Input>;
  /** Invalidate and notify after success (mutating tools). Default: nothing. */
  invalidates?: ToolInvalidation<Input>;
  /** Largest input accepted, in bytes of canonical JSON. Default: the hub's `maxInputBytes` (64 KiB). */
  maxInputBytes?: number;
}

function inputTooLarge(name: string, bytes: number, limit: number): McpError {
  return new McpError(
    ErrorCode.InvalidParams,
    `Input of tool "${name}" is ${bytes} bytes of JSON, more than the limit of ${limit}: send a smaller input.`,
  );
}

/** Checks the options of a tool at registration, so mistakes fail at startup. */
export function assertToolOptions(name: string, options: ToolOptions<never>): void {
  if (options.cache !== undefined && options.invalidates !== undefined) {
    throw new InvalidOptionError(
      `Tool "${name}" has both cache and invalidates: cache read-only tools, invalidate from mutating ones.`,
    );
  }
  if (options.cache !== undefined) assertCacheSettings(options.cache, `tool "${name}"`);
  const limit = options.maxInputBytes;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new InvalidOptionError(
      `Invalid maxInputBytes ${String(limit)} for tool "${name}": use a positive integer (default 65536).`,
    );
  }
}

async function invalidate<Input>(
  ctx: HubContext,
  name: string,
  invalidation: ToolInvalidation<Input>,
  input: Input,
): Promise<void> {
  try {
    const tags = invalidation.tags?.(input) ?? [];
    if (tags.length > 0) await ctx.cache.invalidateTags(tags);
    const uris = invalidation.uris?.(input) ?? [];
    if (uris.length > 0) await ctx.resourceUpdated(uris);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new McpError(
      ErrorCode.InternalError,
      `Tool "${name}" succeeded, but invalidating what it changed failed (${detail}): cached reads may be stale until their TTL; retry the call.`,
      { cause: detail },
    );
  }
}

/**
 * Wraps a tool handler: input size limit, then either cache-aside on the input's stable hash
 * (never caching `isError` results) or, for mutating tools, invalidation + notification after a
 * successful call. Keeps the SDK's calling convention: `(input, extra)` with an `inputSchema`,
 * `(extra)` without one.
 */
export function wrapTool<Args extends undefined | ZodRawShapeCompat | AnySchema>(
  ctx: HubContext,
  name: string,
  hasInput: boolean,
  handler: ToolCallback<Args>,
  options: ToolOptions<ToolInput<Args>>,
): ToolCallback<Args> {
  const limit = options.maxInputBytes ?? ctx.maxInputBytes;
  const call = handler as (...args: unknown[]) => CallToolResult | Promise<CallToolResult>;
  const run = async (input: unknown, extra: McpExtra): Promise<CallToolResult> => {
    const json = canonicalJson(input ?? null);
    const bytes = Buffer.byteLength(json);
    if (bytes > limit) throw inputTooLarge(name, bytes, limit);
    const invoke = (): CallToolResult | Promise<CallToolResult> =>
      hasInput ? call(input, extra) : call(extra);
    const typed = input as ToolInput<Args>;
    const { cache, invalidates } = options;
    if (cache !== undefined) {
      const scope = scopeParts(cache, extra);
      if (scope === undefined) return invoke();
      const tags = typeof cache.tags === 'function' ? cache.tags(typed) : (cache.tags ?? []);
      return getOrSetCacheable(
        ctx.cache,
        ['tool', name, sha256(json), ...scope],
        invoke,
        entryOptions(cache, tags),
        (result) => !isErrorResult(result),
      );
    }
    const result = await invoke();
    if (invalidates !== undefined && !isErrorResult(result)) {
      await invalidate(ctx, name, invalidates, typed);
    }
    return result;
  };
  const wrapped = hasInput
    ? (input: unknown, extra: McpExtra) => run(input, extra)
    : (extra: McpExtra) => run(undefined, extra);
  return wrapped as unknown as ToolCallback<Args>;
}
