import { type Cache, InvalidOptionError } from '@cachekit/core';
import { canonicalUrl, keyParts, urlTag } from './cache-key.js';
import type { PluginState } from './serve.js';

/** Options of `app.cache.invalidate`. */
export interface InvalidateOptions {
  /** Method of the cached responses: GET (HEAD shares GET's entries). Default: `'GET'`. */
  method?: 'GET' | 'HEAD';
}

/** `app.cache`: invalidation of cached responses, and the cache holding them. */
export interface FastifyCachekit {
  /**
   * Invalidates every entry carrying any of `tags`, in every process and every namespace of the
   * cache (responses and data alike), in O(1) per tag.
   */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /**
   * Invalidates the cached responses of one URL (path and query, query order irrelevant; an
   * absolute URL is reduced to them), every `vary` value and principal included. Routes with a
   * custom `key` lose what this URL filled; use tags to reach all their entries.
   */
  invalidate(url: string, options?: InvalidateOptions): Promise<void>;
  /** Applies a named event: entries cached under an EVENT_DRIVEN policy listing it are invalidated. */
  handleEvent(name: string, payload?: unknown): Promise<void>;
  /** The plugin's namespace of the cache (`<namespace option>`), for direct use. */
  readonly cache: Cache;
}

/** Builds the `app.cache` decorator of one plugin instance. */
export function createDecorator(state: PluginState): FastifyCachekit {
  const { cache, filler, namespace } = state;
  return Object.freeze({
    cache,
    async invalidateTags(tags: readonly string[]): Promise<void> {
      filler.forgetPasses();
      await cache.invalidateTags(tags);
    },
    async invalidate(url: string, options: InvalidateOptions = {}): Promise<void> {
      const method = options.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        throw new InvalidOptionError(
          `app.cache.invalidate: only GET and HEAD responses are cached, not ${String(method)}.`,
        );
      }
      if (
        typeof url !== 'string' ||
        !(url.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url))
      ) {
        throw new InvalidOptionError(
          `app.cache.invalidate: expected a path such as '/miners/1?view=full' or an absolute URL, got ${JSON.stringify(url)}.`,
        );
      }
      const canonical = canonicalUrl(url);
      filler.forgetPasses();
      await Promise.all([
        cache.delete(keyParts(canonical, [], undefined)),
        cache.invalidateTags([urlTag(namespace, canonical)]),
      ]);
    },
    async handleEvent(name: string, payload?: unknown): Promise<void> {
      filler.forgetPasses();
      await cache.handleEvent(name, payload);
    },
  });
}
