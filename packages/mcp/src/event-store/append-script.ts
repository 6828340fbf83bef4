import type { EventStoreClient } from './options.js';

/** Name of the command defined on the caller's client. */
export const APPEND_EVENT = 'cachekitMcpAppendEvent';

/**
 * KEYS[1] stream key; ARGV[1] max length, ARGV[2] max age in ms, ARGV[3] payload.
 * Appends with a Redis-clock id (exact MAXLEN) and, in field `p`, the id of the entry it follows
 * (`0-0` when the stream is new or expired), so a replay can tell a trimmed predecessor from a
 * lost one. Then drops entries older than the new id's time minus the max age (never the new one),
 * refreshes the key's expiry, and returns the new entry id.
 */
const LUA = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local previous = '0-0'
if last[1] then previous = last[1][1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'm', ARGV[3], 'p', previous)
local ms = tonumber(string.match(id, '^(%d+)-'))
local cutoff = ms - tonumber(ARGV[2])
if cutoff > 0 then
  redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', cutoff))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return id
`;

/** Appends `payload` to the stream at `key` and returns the Redis Stream entry id. */
export type AppendEvent = (
  key: string,
  maxLength: number,
  maxAgeMs: number,
  payload: string,
) => Promise<string>;

/** Defines the append script on `client` (idempotent) and returns a function that runs it. */
export function defineAppendEvent(client: EventStoreClient): AppendEvent {
  client.defineCommand(APPEND_EVENT, { lua: LUA, numberOfKeys: 1 });
  const commands = client as unknown as Record<typeof APPEND_EVENT, AppendEvent>;
  return (key, maxLength, maxAgeMs, payload) =>
    commands[APPEND_EVENT](key, maxLength, maxAgeMs, payload);
}
