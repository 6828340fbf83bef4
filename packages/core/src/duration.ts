import { InvalidTtlError } from './errors.js';

/** A duration: milliseconds as a number, or a readable string such as `'500ms'`, `'10s'`, `'5m'`, `'1h'`, `'1d'`. */
export type Duration = number | `${number}${DurationUnit}` | `${number} ${DurationUnit}`;

/** Units accepted in a duration string. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/**
 * Turns a {@link Duration} into whole milliseconds. Only finite, strictly positive durations are
 * accepted: 0, negative numbers, NaN, Infinity and unreadable strings throw {@link InvalidTtlError}.
 *
 * @param what names the option in the error message, e.g. `'ttl'`.
 */
export function toMilliseconds(input: Duration | unknown, what = 'ttl'): number {
  let ms: number;
  if (typeof input === 'number') {
    ms = input;
  } else if (typeof input === 'string') {
    const match = PATTERN.exec(input);
    if (match === null) {
      throw new InvalidTtlError(
        `Invalid ${what} "${input}": use milliseconds as a number or a string like '500ms', '10s', '5m', '1h', '1d'.`,
      );
    }
    ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
  } else {
    throw new InvalidTtlError(
      `Invalid ${what} (${typeof input}): use milliseconds as a number or a string like '10s'.`,
    );
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidTtlError(
      `Invalid ${what} ${String(input)}: it must be a finite duration greater than 0. ` +
        'Use the NO_CACHE policy to disable caching instead of a zero or infinite TTL.',
    );
  }
  const whole = Math.ceil(ms);
  if (whole > Number.MAX_SAFE_INTEGER) {
    throw new InvalidTtlError(`Invalid ${what} ${String(input)}: it is too large.`);
  }
  return whole;
}
