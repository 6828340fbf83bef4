/**
 * The Lua behind the store primitives that must be atomic on Redis, shared by the ioredis and
 * node-redis drivers (core itself never talks to Redis). Both keep every key of one call in one
 * hash slot.
 *
 * Redis Lua numbers are doubles: integers are formatted with `string.format('%.0f', n)` before
 * they are stored or returned (`tostring(1.7e15)` would give `'1.7e+15'`). Microsecond timestamps
 * (~1.7e15) stay well below 2^53, so they are exact.
 */
export const redisScripts: {
  /**
   * KEYS: generation keys (one slot). ARGV[1]: TTL in ms. Sets each key to
   * `max(server time in µs, current + 1)` with that TTL; returns the new generations as strings.
   */
  readonly bumpGenerations: string;
  /**
   * KEYS[1]: the entry; KEYS[2..n]: generation keys in the entry's slot. ARGV[1]: value, ARGV[2]:
   * TTL in ms, ARGV[3..n+1]: the generation each guard must still hold (`'0'` = missing).
   * Writes only if every guard holds; returns 1 if written, else 0.
   */
  readonly setIfGenerations: string;
  /**
   * KEYS[1]: a lock key. ARGV[1]: the token its holder set. Deletes the key (UNLINK, like every
   * delete of the stores) only if it still holds exactly that token, compared as strings; returns 1
   * if deleted, else 0 (missing, expired, or held by another token).
   */
  readonly releaseLock: string;
  /**
   * KEYS: pairs `entry, generation` (one slot). ARGV[1]: generation TTL in ms. For each pair,
   * bumps the generation as `bumpGenerations` does, then UNLINKs the entry; returns the number of
   * entries that existed.
   */
  readonly invalidate: string;
  /**
   * KEYS[1]: the entry, KEYS[2]: its generation (same slot). ARGV[1]: value, ARGV[2]: TTL in ms,
   * ARGV[3]: generation TTL in ms. Bumps the generation, then SETs the entry; returns 1.
   */
  readonly replace: string;
} = Object.freeze({
  bumpGenerations: `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local result = {}
for i, key in ipairs(KEYS) do
  local current = tonumber(redis.call('GET', key)) or 0
  local nextGeneration = now
  if current + 1 > nextGeneration then nextGeneration = current + 1 end
  local text = string.format('%.0f', nextGeneration)
  redis.call('SET', key, text, 'PX', ARGV[1])
  result[i] = text
end
return result`,
  setIfGenerations: `for i = 2, #KEYS do
  local current = redis.call('GET', KEYS[i]) or '0'
  if current ~= ARGV[i + 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
  invalidate: `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local deleted = 0
for i = 1, #KEYS, 2 do
  local current = tonumber(redis.call('GET', KEYS[i + 1])) or 0
  local nextGeneration = now
  if current + 1 > nextGeneration then nextGeneration = current + 1 end
  redis.call('SET', KEYS[i + 1], string.format('%.0f', nextGeneration), 'PX', ARGV[1])
  deleted = deleted + redis.call('UNLINK', KEYS[i])
end
return deleted`,
  replace: `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local current = tonumber(redis.call('GET', KEYS[2])) or 0
local nextGeneration = now
if current + 1 > nextGeneration then nextGeneration = current + 1 end
redis.call('SET', KEYS[2], string.format('%.0f', nextGeneration), 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
  releaseLock: `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('UNLINK', KEYS[1])
  return 1
end
return 0`,
});
