import type { InvalidationMessage } from '@cachekit/core';

/** The `InvalidationMessage` in `data`, or why it is not one. Unknown fields are ignored (newer senders). */
export function parseInvalidation(
  data: unknown,
): { ok: true; message: InvalidationMessage } | { ok: false; reason: string } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'invalidation data is not an object' };
  }
  const record = data as Record<string, unknown>;
  const message: { -readonly [K in keyof InvalidationMessage]: InvalidationMessage[K] } = {};
  for (const field of ['keys', 'tags', 'patterns'] as const) {
    const value = record[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      return { ok: false, reason: `invalidation "${field}" is not an array of strings` };
    }
    message[field] = value as string[];
  }
  if (record.flush !== undefined) {
    if (typeof record.flush !== 'boolean') {
      return { ok: false, reason: 'invalidation "flush" is not a boolean' };
    }
    message.flush = record.flush;
  }
  return { ok: true, message };
}
