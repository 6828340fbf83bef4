/** Turns values into strings for the store and back. */
export interface Serializer {
  /** Short name, reported in errors. */
  readonly name: string;
  /**
   * Encodes a value. Must throw (the cache wraps it in a `SerializationError`) rather than
   * return something that would not decode to an equal value.
   */
  serialize(value: unknown): string;
  /** Decodes a stored string. Throws on corrupt input (the cache treats it as a miss). */
  deserialize(text: string): unknown;
}
