/** A contender returned a wrong value, or did not take the path the scenario measures. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

/** Throws a {@link VerificationError} with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new VerificationError(message);
}

/** The start of a value's JSON, for messages: `{"id":"miner-0042",…` */
export function preview(value: unknown, length = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
