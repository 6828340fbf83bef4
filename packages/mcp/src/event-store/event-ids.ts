import { decodePart, encodePart } from './encoding.js';

/** Longest `Last-Event-ID` worth parsing; the ids this store issues are far shorter. */
const MAX_EVENT_ID_LENGTH = 1024;
const ENTRY_ID = /^(\d{1,16})-(\d{1,16})$/;

/** What an event id says: whose stream, which stream, which Redis Stream entry. */
export interface ParsedEventId {
  readonly sessionId: string;
  readonly streamId: string;
  /** Milliseconds part of the Redis Stream entry id. */
  readonly ms: number;
  /** Sequence part of the Redis Stream entry id. */
  readonly seq: number;
}

/** `<session>.<stream>.<ms>-<seq>`: the parts never contain `.` (see `encodePart`). */
export function formatEventId(sessionId: string, streamId: string, entryId: string): string {
  return `${encodePart(sessionId)}.${encodePart(streamId)}.${entryId}`;
}

/** Parses an id made by {@link formatEventId}; `undefined` for anything else. */
export function parseEventId(eventId: string): ParsedEventId | undefined {
  if (eventId.length > MAX_EVENT_ID_LENGTH) return undefined;
  const parts = eventId.split('.');
  if (parts.length !== 3) return undefined;
  const [sessionPart, streamPart, entryPart] = parts as [string, string, string];
  const sessionId = decodePart(sessionPart);
  const streamId = decodePart(streamPart);
  const entry = ENTRY_ID.exec(entryPart);
  if (sessionId === undefined || streamId === undefined || entry === null) return undefined;
  const ms = Number(entry[1]);
  const seq = Number(entry[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) return undefined;
  return { sessionId, streamId, ms, seq };
}
