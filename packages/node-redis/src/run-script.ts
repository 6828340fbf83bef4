import type { NodeRedisCommands } from './client.js';
import type { RedisScript } from './scripts.js';

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs `script` by EVALSHA and falls back to EVAL (which caches it again) when the server does not
 * know it: after a restart, a `SCRIPT FLUSH`, or on a cluster master seen for the first time.
 * Through a cluster, the call goes to the master of `keys[0]` (all keys must share its slot).
 */
export async function runScript(
  client: NodeRedisCommands,
  script: RedisScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  try {
    return await client.evalSha(script.sha1, { keys, arguments: args });
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(script.source, { keys, arguments: args });
  }
}
