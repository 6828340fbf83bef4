import { CorruptEntryError, SerializationError } from './errors.js';
import type { Serializer } from './serializers/serializer.js';

/** A decoded entry: the value and what is needed to decide whether it is still fresh. */
export interface StoredEntry {
  readonly value: unknown;
  /** When it was written (ms since epoch). */
  readonly createdAt: number;
  /** When it expires (ms since epoch); past it the value is stale. */
  readonly expiresAt: number;
  /** Until when a stale value is kept as a fallback (ms since epoch; = expiresAt without grace). */
  readonly staleUntil: number;
  /** Tag generation keys and the generation each had when the value was loaded: `[key, gen, key, gen...]`. */
  readonly tags: readonly string[];
}

interface Header {
  c: number;
  e: number;
  /** Stale until (only with a grace period). */
  s?: number;
  t?: string[];
}

/** Serializes a value, turning any failure into a {@link SerializationError} (so nothing is written). */
export function serializeValue(serializer: Serializer, value: unknown): string {
  let payload: string;
  try {
    payload = serializer.serialize(value);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SerializationError(
      `The ${serializer.name} serializer cannot store this value (${reason}); nothing was written. ` +
        'Convert it to plain data first, or use losslessSerializer for Date, BigInt, Map, Set and Uint8Array.',
      { cause },
    );
  }
  if (typeof payload !== 'string') {
    throw new SerializationError(
      `The ${serializer.name} serializer returned ${typeof payload}, not a string.`,
    );
  }
  return payload;
}

/**
 * Frames a serialized value as `<header JSON>\n<payload>`: a small header (created, expires, tag
 * generations) then the serializer's output, which may contain anything, newlines included.
 */
export function frameEntry(
  payload: string,
  createdAt: number,
  ttl: number,
  tags: readonly string[],
  grace = 0,
): string {
  const header: Header = { c: createdAt, e: createdAt + ttl };
  if (grace > 0) header.s = createdAt + ttl + grace;
  if (tags.length > 0) header.t = tags as string[];
  return `${JSON.stringify(header)}\n${payload}`;
}

/** Decodes what {@link frameEntry} wrote; throws {@link CorruptEntryError} on anything else. */
export function decodeEntry(serializer: Serializer, raw: string): StoredEntry {
  const newline = raw.indexOf('\n');
  if (newline === -1) throw new CorruptEntryError('Stored entry has no header line.');
  let header: Header;
  let value: unknown;
  try {
    header = JSON.parse(raw.slice(0, newline)) as Header;
    value = serializer.deserialize(raw.slice(newline + 1));
  } catch (cause) {
    throw new CorruptEntryError(
      `Stored entry cannot be decoded with the ${serializer.name} serializer; it was treated as a miss and deleted.`,
      { cause },
    );
  }
  if (
    header === null ||
    typeof header !== 'object' ||
    typeof header.c !== 'number' ||
    typeof header.e !== 'number' ||
    (header.s !== undefined && typeof header.s !== 'number') ||
    (header.t !== undefined && (!Array.isArray(header.t) || header.t.length % 2 !== 0))
  ) {
    throw new CorruptEntryError(
      'Stored entry has a malformed header; it was treated as a miss and deleted.',
    );
  }
  const staleUntil = header.s ?? header.e;
  return { value, createdAt: header.c, expiresAt: header.e, staleUntil, tags: header.t ?? [] };
}
