import type { Duration, Policy } from '@cachekit/core';
import {
  type CompleteResourceTemplateCallback,
  type ListResourcesCallback,
  type ReadResourceCallback,
  type ReadResourceTemplateCallback,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { type HubContext, LIST_TAG } from './context.js';
import { getOrSetCacheable, isErrorResult } from './not-cached.js';
import { entryOptions, scopeParts } from './scope.js';
import type { CacheSettings, McpExtra, Variables, VariableValidator } from './types.js';
import { canonicalMatch, uriKeyPart, uriTag, type VariableValidators } from './uri.js';

/** Cache options of `session.resource(...)`. */
export interface ResourceCacheOptions extends CacheSettings {
  /**
   * Extra tags of the entry (`['miner:7', 'fleet']`), or a function of the decoded variables.
   * Every entry also carries a tag of its canonical URI, which `hub.resourceUpdated(uri)` bumps.
   * Default: none.
   */
  tags?: readonly string[] | ((variables: Variables) => readonly string[]);
  /**
   * Validators of template variables, by name, applied after percent-decoding (see
   * {@link VariableValidator}). A variable without one only has to decode to a non-empty string.
   * Default: none.
   */
  variables?: Readonly<Record<string, VariableValidator>>;
  /**
   * Caching of the template's `list` results (own key, tagged so `hub.resourceListChanged()`
   * drops them; same scope as reads): `false` to call `list` every time. Default: the hub's
   * `listPolicy` (EPHEMERAL, 10 s).
   */
  list?: false | { policy?: Policy; ttl?: Duration };
}

/** The entry of one read: cache-aside keyed by canonical URI (+ principal), never an error result. */
function readCached(
  ctx: HubContext,
  uri: string,
  variables: Variables,
  options: ResourceCacheOptions,
  extra: McpExtra,
  load: () => ReadResourceResult | Promise<ReadResourceResult>,
): Promise<ReadResourceResult> {
  const scope = scopeParts(options, extra);
  if (scope === undefined) return Promise.resolve(load());
  const extraTags = typeof options.tags === 'function' ? options.tags(variables) : options.tags;
  const tags = [uriTag(uri), ...(extraTags ?? [])];
  return getOrSetCacheable(
    ctx.cache,
    ['resource', uriKeyPart(uri), ...scope],
    load,
    entryOptions(options, tags),
    (result) => !isErrorResult(result),
  );
}

/** Wraps the read callback of a fixed-URI resource. */
export function cachedFixedRead(
  ctx: HubContext,
  read: ReadResourceCallback,
  options: ResourceCacheOptions,
): ReadResourceCallback {
  return (uri, extra) => readCached(ctx, uri.href, {}, options, extra, () => read(uri, extra));
}

/**
 * Wraps the read callback of a template: variables decoded and validated (bad ones reject with
 * `InvalidParams` before anything is read or cached), the URI canonicalised, and the callback
 * called with the canonical URI and the decoded variables.
 */
export function cachedTemplateRead(
  ctx: HubContext,
  template: ResourceTemplate,
  read: ReadResourceTemplateCallback,
  options: ResourceCacheOptions,
): ReadResourceTemplateCallback {
  const validators: VariableValidators = options.variables ?? {};
  return async (_uri, raw, extra) => {
    const { uri, variables } = canonicalMatch(template.uriTemplate, raw, validators);
    return readCached(ctx, uri, variables, options, extra, () =>
      read(new URL(uri), variables, extra),
    );
  };
}

/**
 * A copy of `template` whose `list` is cached under its own key (short policy, tagged with
 * {@link LIST_TAG}); `complete` callbacks are passed through untouched (never cached).
 */
export function cachedTemplate(
  ctx: HubContext,
  template: ResourceTemplate,
  options: ResourceCacheOptions,
): ResourceTemplate {
  const complete: Record<string, CompleteResourceTemplateCallback> = {};
  for (const name of template.uriTemplate.variableNames) {
    const callback = template.completeCallback(name);
    if (callback !== undefined) complete[name] = callback;
  }
  const list = template.listCallback;
  const settings = options.list;
  if (list === undefined || settings === false) {
    return new ResourceTemplate(template.uriTemplate, { list, complete });
  }
  const listOptions: CacheSettings = {
    policy: settings?.policy ?? ctx.listPolicy,
    ...(settings?.ttl === undefined ? {} : { ttl: settings.ttl }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.principal === undefined ? {} : { principal: options.principal }),
  };
  const key = uriKeyPart(template.uriTemplate.toString());
  const cachedList: ListResourcesCallback = async (extra) => {
    const scope = scopeParts(listOptions, extra);
    if (scope === undefined) return list(extra);
    return getOrSetCacheable(
      ctx.cache,
      ['list', key, ...scope],
      () => list(extra),
      entryOptions(listOptions, [LIST_TAG]),
      (result) => !isErrorResult(result),
    );
  };
  return new ResourceTemplate(template.uriTemplate, { list: cachedList, complete });
}
