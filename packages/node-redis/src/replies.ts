/**
 * Narrowing of node-redis replies, which depend on the client's RESP version and type mapping
 * (strings or Buffers, numbers or numeric strings).
 */

function fail(command: string, reply: unknown): never {
  throw new TypeError(`node-redis store: unexpected ${command} reply ${String(reply)}`);
}

/** A bulk string reply, or `undefined` for a nil. */
export function optionalString(reply: unknown, command: string): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return fail(command, reply);
}

/** A bulk string reply that must be there. */
export function requiredString(reply: unknown, command: string): string {
  return optionalString(reply, command) ?? fail(command, reply);
}

/** An array of bulk strings or nils. */
export function optionalStrings(reply: unknown, command: string): Array<string | undefined> {
  if (!Array.isArray(reply)) return fail(command, reply);
  return reply.map((item: unknown) => optionalString(item, command));
}

/** An integer reply. */
export function integer(reply: unknown, command: string): number {
  const value = typeof reply === 'number' ? reply : Number(optionalString(reply, command));
  return Number.isInteger(value) ? value : fail(command, reply);
}

/** A SCAN reply (`{ cursor, keys }` in node-redis 5/6). */
export function scanPage(reply: unknown): { cursor: string; keys: string[] } {
  if (reply === null || typeof reply !== 'object') return fail('SCAN', reply);
  const { cursor, keys } = reply as { cursor?: unknown; keys?: unknown };
  return {
    cursor: requiredString(cursor, 'SCAN'),
    keys: optionalStrings(keys, 'SCAN').map((key) => key ?? fail('SCAN', reply)),
  };
}
