import { jsonSerializer, SerializationError } from '@cachekit/core';

/** The wire format: one JSON object per message. */
export interface Envelope {
  readonly type: string;
  readonly data: unknown;
  readonly ts: number;
  readonly source: string;
  readonly seq: number;
}

/** A decoded envelope, or why it is malformed. */
export type Decoded =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly reason: string };

/**
 * Encodes an envelope. `data` goes through core's JSON serializer (`undefined` is sent as `null`);
 * what it cannot encode (BigInt, cycles, functions) throws a `SerializationError`.
 */
export function encodeEnvelope(
  type: string,
  data: unknown,
  ts: number,
  quotedSource: string,
  seq: number,
): string {
  let text: string;
  try {
    text = jsonSerializer.serialize(data === undefined ? null : data);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SerializationError(
      `Cannot publish a "${type}" message: its data cannot be encoded as JSON (${detail}). Nothing was published.`,
      { cause: error },
    );
  }
  return `{"type":${JSON.stringify(type)},"data":${text},"ts":${ts},"source":${quotedSource},"seq":${seq}}`;
}

/** Decodes and validates an envelope; never throws. */
export function decodeEnvelope(raw: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const envelope = value as Record<string, unknown>;
  if (typeof envelope.type !== 'string' || envelope.type.length === 0) {
    return { ok: false, reason: '"type" is not a non-empty string' };
  }
  if (!('data' in envelope)) return { ok: false, reason: '"data" is missing' };
  if (typeof envelope.ts !== 'number' || !Number.isFinite(envelope.ts)) {
    return { ok: false, reason: '"ts" is not a finite number' };
  }
  if (typeof envelope.source !== 'string' || envelope.source.length === 0) {
    return { ok: false, reason: '"source" is not a non-empty string' };
  }
  if (typeof envelope.seq !== 'number' || !Number.isSafeInteger(envelope.seq) || envelope.seq < 1) {
    return { ok: false, reason: '"seq" is not a positive integer' };
  }
  return { ok: true, envelope: envelope as unknown as Envelope };
}
