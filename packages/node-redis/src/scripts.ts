import { createHash } from 'node:crypto';
import { redisScripts } from '@cachekit/core';

/** A script of `redisScripts` (from `@cachekit/core`) with its SHA1, for EVALSHA. */
export interface RedisScript {
  /** The Lua source. */
  readonly source: string;
  /** SHA1 of `source`, for EVALSHA. */
  readonly sha1: string;
}

function script(source: string): RedisScript {
  return Object.freeze({ source, sha1: createHash('sha1').update(source).digest('hex') });
}

/** KEYS: generation keys (one slot); ARGV[1]: TTL in ms. See `redisScripts` in `@cachekit/core`. */
export const BUMP_GENERATIONS: RedisScript = script(redisScripts.bumpGenerations);

/** KEYS[1]: entry, KEYS[2..]: same-slot guards; ARGV: value, TTL, generations. See `redisScripts`. */
export const SET_IF_GENERATIONS: RedisScript = script(redisScripts.setIfGenerations);

/** KEYS[1]: lock key; ARGV[1]: token. Deletes the key only if it holds the token. See `redisScripts`. */
export const RELEASE_LOCK: RedisScript = script(redisScripts.releaseLock);

/** KEYS: pairs `entry, generation` (one slot); ARGV[1]: generation TTL. See `redisScripts`. */
export const INVALIDATE: RedisScript = script(redisScripts.invalidate);

/** KEYS: entry, generation; ARGV: value, TTL, generation TTL. See `redisScripts`. */
export const REPLACE: RedisScript = script(redisScripts.replace);
