import { CorruptEntryError } from '@cachekit/core';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { InvalidEventIdError } from './errors.js';
import type { EventStoreClient } from './options.js';

/** Entries read per XRANGE while replaying. */
const PAGE_SIZE = 256;

/** What {@link replayEntries} needs. */
export interface ReplayRequest {
  readonly client: EventStoreClient;
  readonly key: string;
  /** The entry the client saw last: everything after it is sent. */
  readonly after: { readonly ms: number; readonly seq: number };
  readonly maxAgeMs: number;
  /** Called once per stored message, in order, with its Redis Stream entry id. */
  readonly send: (entryId: string, message: JSONRPCMessage) => Promise<void>;
  readonly onCorrupt: (error: CorruptEntryError) => void;
}

/** Current time of the Redis server, in milliseconds. */
async function redisNow(client: EventStoreClient): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Sends, in order, every entry after `after`. Priming events (stored with an empty payload) keep
 * their place in the stream but are not sent. A payload that is not JSON is skipped and reported.
 *
 * Refuses ({@link InvalidEventIdError}, nothing sent) when something after `after` is gone or
 * would be skipped: the first entry after it names another predecessor (field `p`: entries
 * between were trimmed by `maxLength` or `maxAge`, or the stream expired and began again), or is
 * older than `maxAgeMs` by Redis' clock. A replay never skips events silently.
 */
export async function replayEntries(request: ReplayRequest): Promise<void> {
  const { client, key, after } = request;
  const oldest = (await redisNow(client)) - request.maxAgeMs;
  const afterId = `${after.ms}-${after.seq}`;
  let start = `(${afterId}`;
  let checked = false;
  for (;;) {
    const page = await client.xrange(key, start, '+', 'COUNT', PAGE_SIZE);
    const head = page[0];
    if (!checked && head !== undefined) {
      assertContinuous(head, afterId, oldest, key);
      checked = true;
    }
    for (const [entryId, fields] of page) {
      const payload = fieldValue(fields, 'm');
      if (payload === '') continue;
      const message = decode(payload, key, entryId, request.onCorrupt);
      if (message !== undefined) await request.send(entryId, message);
    }
    const last = page.at(-1);
    if (page.length < PAGE_SIZE || last === undefined) return;
    start = `(${last[0]}`;
  }
}

/** Throws when the first entry after `afterId` does not follow it directly, or is too old. */
function assertContinuous(
  [entryId, fields]: [id: string, fields: string[]],
  afterId: string,
  oldest: number,
  key: string,
): void {
  // Entries stored before predecessors were recorded have no `p`: only their age is checked.
  const previous = fieldValue(fields, 'p');
  const ms = Number(entryId.slice(0, entryId.indexOf('-')));
  if ((previous === undefined || previous === afterId) && ms >= oldest) return;
  throw new InvalidEventIdError(
    `Events after Last-Event-ID ${afterId} in ${key} were trimmed (maxLength or maxAge) or ` +
      'expired, so they cannot be replayed: reconnect without Last-Event-ID (a fresh stream) ' +
      'and re-read the resources the client follows.',
  );
}

function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) return fields[i + 1];
  }
  return undefined;
}

function decode(
  payload: string | undefined,
  key: string,
  entryId: string,
  onCorrupt: (error: CorruptEntryError) => void,
): JSONRPCMessage | undefined {
  try {
    if (payload === undefined) throw new Error('the entry has no `m` field');
    const message: unknown = JSON.parse(payload);
    if (typeof message !== 'object' || message === null) throw new Error('not a JSON object');
    return message as JSONRPCMessage;
  } catch (cause) {
    onCorrupt(
      new CorruptEntryError(
        `Event ${entryId} in ${key} is not a stored JSON-RPC message; it was skipped. ` +
          'Only redisEventStore should write under its prefix.',
        { cause },
      ),
    );
    return undefined;
  }
}
