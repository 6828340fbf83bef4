import { InvalidOptionError } from '@cachekit/core';
import type { ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type {
  AnySchema,
  SchemaOutput,
  ShapeOutput,
  ZodRawShapeCompat,
} from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, jsonBytes, sha256 } from './canonical-json.js';
import type { HubContext } from './context.js';
import { McpInvalidationError, UnhashableInputError } from './errors.js';
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
  /** Tags to invalidate (O(1) each, in every process); no subscriber is notified of them. Default: none. */
  tags?: (input: Input) => readonly string[];
  /**
   * Resource URIs to invalidate and notify their subscribers of, via `hub.resourceUpdated`. Tags
   * alone notify no subscriber: list here every resource whose subscribers must re-read.
   * Default: none.
   */
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

/** Runs the invalidation of a mutating tool; resolves to what failed (empty: all went well). */
async function invalidate<Input>(
  ctx: HubContext,
  invalidation: ToolInvalidation<Input>,
  input: Input,
): Promise<unknown[]> {
  const failures: unknown[] = [];
  const run = async (step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  };
  // Tags and URIs independently: a failing tag bump never keeps subscribers from being told
  // (hub.resourceUpdated itself notifies and publishes even when its own invalidation fails).
  await Promise.all([
    run(async () => {
      const tags = invalidation.tags?.(input) ?? [];
      if (tags.length > 0) await ctx.cache.invalidateTags(tags);
    }),
    run(async () => {
      const uris = invalidation.uris?.(input) ?? [];
      if (uris.length > 0) await ctx.resourceUpdated(uris);
    }),
  ]);
  return failures;
}

/**
 * The result of a mutating tool whose change was made but not fully invalidated: an error result
 * (so the model notices) that says the change was applied and must not be made again, followed by
 * what the handler returned.
 */
function appliedButStale(
  ctx: HubContext,
  name: string,
  result: CallToolResult,
  failures: readonly unknown[],
): CallToolResult {
  const detail = failures.map((error) => (error instanceof Error ? error.message : String(error)));
  ctx.report(
    new McpInvalidationError(
      `Tool "${name}" made its change, but invalidating or announcing it failed (${detail.join('; ')}): ` +
        'cached reads may be stale until their TTL. Check the store and the bus.',
      { cause: failures.length === 1 ? failures[0] : new AggregateError(failures) },
    ),
  );
  const warning =
    `Tool "${name}" succeeded: the change WAS applied, so do not call it again for this change. ` +
    `Refreshing cached copies of what it changed failed (${detail.join('; ')}), so reads may ` +
    'show the previous value until their cache entries expire.';
  return {
    ...result,
    isError: true,
    content: [{ type: 'text', text: warning }, ...result.content],
  };
}

/** The input's canonical JSON, or the reason it has none (then it is never cached). */
function inputJson(input: unknown): { json: string; bytes: number } | UnhashableInputError {
  try {
    const json = canonicalJson(input ?? null);
    return { json, bytes: Buffer.byteLength(json) };
  } catch (error) {
    if (error instanceof UnhashableInputError) return error;
    throw error;
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
  let reportedUnhashable = false;
  const run = async (input: unknown, extra: McpExtra): Promise<CallToolResult> => {
    const hashed = inputJson(input);
    const bytes = hashed instanceof UnhashableInputError ? jsonBytes(input ?? null) : hashed.bytes;
    if (bytes > limit) throw inputTooLarge(name, bytes, limit);
    const invoke = (): CallToolResult | Promise<CallToolResult> =>
      hasInput ? call(input, extra) : call(extra);
    const typed = input as ToolInput<Args>;
    const { cache, invalidates } = options;
    if (cache !== undefined) {
      if (hashed instanceof UnhashableInputError) {
        if (!reportedUnhashable) {
          reportedUnhashable = true;
          ctx.report(
            new UnhashableInputError(
              `Tool "${name}" is not cached: ${hashed.message} (reported once per tool)`,
              { cause: hashed },
            ),
          );
        }
        return invoke();
      }
      const scope = scopeParts(cache, extra);
      if (scope === undefined) return invoke();
      const tags = typeof cache.tags === 'function' ? cache.tags(typed) : (cache.tags ?? []);
      return getOrSetCacheable(
        ctx.cache,
        ['tool', name, sha256(hashed.json), ...scope],
        invoke,
        entryOptions(cache, tags),
        (result) => !isErrorResult(result),
      );
    }
    const result = await invoke();
    if (invalidates === undefined || isErrorResult(result)) return result;
    const failures = await invalidate(ctx, invalidates, typed);
    return failures.length === 0 ? result : appliedButStale(ctx, name, result, failures);
  };
  const wrapped = hasInput
    ? (input: unknown, extra: McpExtra) => run(input, extra)
    : (extra: McpExtra) => run(undefined, extra);
  return wrapped as unknown as ToolCallback<Args>;
}
