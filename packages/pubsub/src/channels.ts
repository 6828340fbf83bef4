import { InvalidKeyError, type KeyPart, KeySpace, MAX_KEY_LENGTH } from '@cachekit/core';

/** Phantom field carrying a channel's payload type; never present at run time. */
declare const payloadType: unique symbol;

/**
 * A channel name whose messages carry `T`. At run time it is a plain string
 * (`events:miner:7:status`); the type parameter only links `publish` and `subscribe`.
 */
export type Channel<T = unknown> = string & { readonly [payloadType]?: T };

/** A Redis glob pattern subscription target (`events:miner:*:status`) whose messages carry `T`. */
export interface Pattern<T = unknown> {
  readonly pattern: string;
  readonly [payloadType]?: T;
}

/** What `subscribe` and `stream` accept: an exact channel or a {@link Pattern}. */
export type Target<T = unknown> = Channel<T> | Pattern<T>;

// Only its `id()` is used: core's one escaping rule for ids (`%XX` for `: * ? [ ] \ { } %`).
const ids = new KeySpace('v1', ['channel']);
const SEPARATOR = ':';

/**
 * Builds a channel name from parts with core's key rules: each part is escaped like a key id, so
 * `channel('events', 'miner', id, 'status')` is `events:miner:<id>:status` whatever `id` contains
 * (`'a:b*'` becomes `a%3Ab%2A`): no id can add a level or a wildcard.
 */
export function channel<T = unknown>(...parts: readonly KeyPart[]): Channel<T> {
  if (parts.length === 0) throw new InvalidKeyError('A channel needs at least one part.');
  return checkLength(parts.map((part) => ids.id(part)).join(SEPARATOR)) as Channel<T>;
}

/**
 * Builds a pattern from parts: a part that is exactly `'*'` matches any run of characters (Redis
 * glob), `'?'` any one character; every other part is escaped like a key id, so ids are always
 * literal. `channelPattern('events', 'miner', '*', 'status')` is `events:miner:*:status`.
 */
export function channelPattern<T = unknown>(...parts: readonly KeyPart[]): Pattern<T> {
  if (parts.length === 0) throw new InvalidKeyError('A pattern needs at least one part.');
  const text = parts.map((part) => (part === '*' || part === '?' ? part : ids.id(part)));
  return { pattern: checkLength(text.join(SEPARATOR)) };
}

/** A pattern target from a raw Redis glob (no escaping: for patterns you write yourself). */
export function rawPattern<T = unknown>(pattern: string): Pattern<T> {
  return { pattern: assertChannelName(pattern, 'pattern') };
}

/** Validates a raw channel or pattern name: a non-empty string of at most `MAX_KEY_LENGTH` characters. */
export function assertChannelName(name: unknown, what = 'channel'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidKeyError(
      `Invalid ${what} ${JSON.stringify(name)}: use a non-empty string, e.g. channel('events', 'fleet').`,
    );
  }
  return checkLength(name);
}

/** Splits a target into its kind and name, validating the name. */
export function resolveTarget(target: unknown): { kind: 'channel' | 'pattern'; name: string } {
  if (typeof target === 'object' && target !== null && 'pattern' in target) {
    return { kind: 'pattern', name: assertChannelName(target.pattern, 'pattern') };
  }
  return { kind: 'channel', name: assertChannelName(target) };
}

function checkLength(name: string): string {
  if (name.length > MAX_KEY_LENGTH) {
    throw new InvalidKeyError(
      `Channel of ${name.length} characters is longer than ${MAX_KEY_LENGTH}: hash long ids first.`,
    );
  }
  return name;
}
