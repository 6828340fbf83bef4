import { redisScripts } from '@cachekit/core';
import type { IoredisClient } from './options.js';

/** Command names defined on the client with `defineCommand` (EVALSHA, EVAL on `NOSCRIPT`). */
export const BUMP_GENERATIONS = 'cachekitBumpGenerations';
export const SET_IF_GENERATIONS = 'cachekitSetIfGenerations';
export const RELEASE_LOCK = 'cachekitReleaseLock';
export const INVALIDATE = 'cachekitInvalidate';
export const REPLACE = 'cachekitReplace';

/** The scripts, callable on the client (or a pipeline) once defined. */
export interface ScriptCommands {
  /** `numberOfKeys, ...keys, ttl` -> the new generations. */
  [BUMP_GENERATIONS](numberOfKeys: number, ...args: Array<string | number>): Promise<string[]>;
  /** `numberOfKeys, key, ...guardKeys, value, ttl, ...expectedGenerations` -> 1 or 0. */
  [SET_IF_GENERATIONS](numberOfKeys: number, ...args: Array<string | number>): Promise<number>;
  /** `lockKey, token` -> 1 if it held the token and was deleted, else 0. */
  [RELEASE_LOCK](key: string, token: string): Promise<number>;
  /** `numberOfKeys, entry1, generation1, ..., generationTtl` -> entries that existed. */
  [INVALIDATE](numberOfKeys: number, ...args: Array<string | number>): Promise<number>;
  /** `entry, generation, value, ttl, generationTtl` -> 1. */
  [REPLACE](...args: Array<string | number>): Promise<number>;
}

/**
 * Defines the scripts on `client` (idempotent: defining again replaces them with the same code).
 * ioredis sends EVALSHA and falls back to EVAL on `NOSCRIPT`, so they survive `SCRIPT FLUSH`.
 */
export function defineScripts(client: IoredisClient): ScriptCommands {
  client.defineCommand(BUMP_GENERATIONS, { lua: redisScripts.bumpGenerations });
  client.defineCommand(SET_IF_GENERATIONS, { lua: redisScripts.setIfGenerations });
  client.defineCommand(RELEASE_LOCK, { lua: redisScripts.releaseLock, numberOfKeys: 1 });
  client.defineCommand(INVALIDATE, { lua: redisScripts.invalidate });
  client.defineCommand(REPLACE, { lua: redisScripts.replace, numberOfKeys: 2 });
  return client as unknown as ScriptCommands;
}
