import assert from 'node:assert/strict';
import type { Store, StoreEntry } from '../store.js';
import { waitFor } from './wait.js';

/** A TTL no case outlives: values set with it must still be there when the case checks. */
export const LONG_TTL = 60_000;
/** A TTL short enough to watch expire; never assume a value with it is still present. */
export const SHORT_TTL = 50;
/** How long a short-TTL key may take to be reported gone. */
export const EXPIRY_TIMEOUT = 3_000;

/** Escapes Redis glob characters so that `text` matches only itself in a pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** `{key}<suffix>`: a key in the same cluster hash slot as `key` (which must have no braces). */
export function sameSlot(key: string, suffix: string): string {
  return `{${key}}${suffix}`;
}

/** `count` keys `<prefix><label><i>`, spread over many hash slots. */
export function manyKeys(prefix: string, count: number, label = 'k'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${label}${i}`);
}

/** Entries with long TTLs and a distinct value per key. */
export function entriesFor(keys: readonly string[], ttl: number = LONG_TTL): StoreEntry[] {
  return keys.map((key, i) => ({ key, value: `value-${i}`, ttl }));
}

/** Waits (polling, at most {@link EXPIRY_TIMEOUT}) until `key` reads as missing. */
export async function waitUntilMissing(store: Store, key: string): Promise<void> {
  await waitFor(async () => (await store.get(key)) === undefined, {
    timeout: EXPIRY_TIMEOUT,
    message: `key ${JSON.stringify(key)} to expire`,
  });
}

/**
 * Sets a sentinel next to `key` (same hash slot) with {@link SHORT_TTL}, waits until it expired,
 * then returns `key`'s value. Anything set on `key` with a short TTL before this call has expired
 * by then, so a value still there proves its TTL was replaced by a longer one.
 */
export async function readAfterShortTtl(store: Store, key: string): Promise<string | undefined> {
  const sentinel = sameSlot(key, ':sentinel');
  await store.set(sentinel, 'sentinel', SHORT_TTL);
  await waitUntilMissing(store, sentinel);
  return store.get(key);
}

/** Asserts the store keeps `value` at `key` right after setting it (long TTL). */
export async function assertRoundTrip(store: Store, key: string, value: string): Promise<void> {
  await store.set(key, value, LONG_TTL);
  const read = await store.get(key);
  assert.ok(
    read === value,
    `get(${JSON.stringify(key)}) returned ${preview(read)}, expected the ${value.length}-char value set`,
  );
}

/** A short description of a possibly huge value, for assertion messages. */
export function preview(value: string | undefined): string {
  if (value === undefined) return 'undefined';
  return value.length > 80
    ? `a ${value.length}-char string starting ${JSON.stringify(value.slice(0, 40))}`
    : JSON.stringify(value);
}

/** Asserts each generation is a decimal integer greater than the one before. */
export function assertIncreasing(generations: readonly string[]): void {
  for (const generation of generations) {
    assert.match(generation, /^[0-9]+$/, `generation ${generation} is not a decimal integer`);
  }
  for (let i = 1; i < generations.length; i++) {
    const before = generations[i - 1] as string;
    const after = generations[i] as string;
    assert.ok(BigInt(after) > BigInt(before), `generation ${after} is not above ${before}`);
  }
}
