/**
 * Every error cachekit raises is a {@link CacheError}: it has a stable `code` that callers can
 * branch on, a message that says what to do, and the underlying `cause` when there is one.
 */
export class CacheError extends Error {
  /** Stable machine-readable code, e.g. `E_INVALID_TTL`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** A TTL that is not a finite, positive duration (or exceeds `maxTtl`). */
export class InvalidTtlError extends CacheError {
  static readonly code = 'E_INVALID_TTL';
  constructor(message: string, options?: { cause?: unknown }) {
    super(InvalidTtlError.code, message, options);
  }
}

/** A key, key part, namespace, version or tag that cannot be turned into a safe Redis key. */
export class InvalidKeyError extends CacheError {
  static readonly code = 'E_INVALID_KEY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(InvalidKeyError.code, message, options);
  }
}

/** A policy definition that is inconsistent (e.g. EVENT_DRIVEN without events). */
export class InvalidPolicyError extends CacheError {
  static readonly code = 'E_INVALID_POLICY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(InvalidPolicyError.code, message, options);
  }
}

/** An option passed to a cachekit factory that has the wrong type or range. */
export class InvalidOptionError extends CacheError {
  static readonly code = 'E_INVALID_OPTION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(InvalidOptionError.code, message, options);
  }
}

/** A value the serializer cannot encode (BigInt with JSON, a cycle, a function...). Nothing is written. */
export class SerializationError extends CacheError {
  static readonly code = 'E_SERIALIZE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(SerializationError.code, message, options);
  }
}

/** A stored value that cannot be decoded. The cache treats it as a miss, deletes it and reports this. */
export class CorruptEntryError extends CacheError {
  static readonly code = 'E_CORRUPT_ENTRY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(CorruptEntryError.code, message, options);
  }
}

/** The store (Redis, memory...) failed an operation. */
export class StoreError extends CacheError {
  static readonly code = 'E_STORE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(StoreError.code, message, options);
  }
}

/** A store operation did not answer within the configured `timeout`. */
export class StoreTimeoutError extends CacheError {
  static readonly code = 'E_STORE_TIMEOUT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(StoreTimeoutError.code, message, options);
  }
}

/** A store was asked for something its declared capabilities do not include. */
export class UnsupportedError extends CacheError {
  static readonly code = 'E_UNSUPPORTED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(UnsupportedError.code, message, options);
  }
}

/** A loader ran past its `hardTimeout`: it was aborted through its `signal`. */
export class LoaderTimeoutError extends CacheError {
  static readonly code = 'E_LOADER_TIMEOUT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(LoaderTimeoutError.code, message, options);
  }
}

/** The store is failing and the circuit breaker is open: the call went straight to the source. */
export class CircuitOpenError extends CacheError {
  static readonly code = 'E_CIRCUIT_OPEN';
  constructor(message: string, options?: { cause?: unknown }) {
    super(CircuitOpenError.code, message, options);
  }
}

/** A pub/sub transport failed (connect, subscribe or publish). */
export class TransportError extends CacheError {
  static readonly code = 'E_TRANSPORT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(TransportError.code, message, options);
  }
}

/** A message handler (or an `onDrop` / event listener) threw; `cause` is what it threw. The bus kept serving. */
export class HandlerError extends CacheError {
  static readonly code = 'E_HANDLER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(HandlerError.code, message, options);
  }
}

/** The cache (or its store) was closed and cannot serve this call. */
export class ClosedError extends CacheError {
  static readonly code = 'E_CLOSED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ClosedError.code, message, options);
  }
}

/** Every cachekit error class, keyed by a short name. `errors.InvalidTtlError.code === 'E_INVALID_TTL'`. */
export const errors: {
  readonly CacheError: typeof CacheError;
  readonly InvalidTtlError: typeof InvalidTtlError;
  readonly InvalidKeyError: typeof InvalidKeyError;
  readonly InvalidPolicyError: typeof InvalidPolicyError;
  readonly InvalidOptionError: typeof InvalidOptionError;
  readonly SerializationError: typeof SerializationError;
  readonly CorruptEntryError: typeof CorruptEntryError;
  readonly StoreError: typeof StoreError;
  readonly StoreTimeoutError: typeof StoreTimeoutError;
  readonly UnsupportedError: typeof UnsupportedError;
  readonly ClosedError: typeof ClosedError;
  readonly LoaderTimeoutError: typeof LoaderTimeoutError;
  readonly CircuitOpenError: typeof CircuitOpenError;
  readonly TransportError: typeof TransportError;
  readonly HandlerError: typeof HandlerError;
} = Object.freeze({
  CacheError,
  InvalidTtlError,
  InvalidKeyError,
  InvalidPolicyError,
  InvalidOptionError,
  SerializationError,
  CorruptEntryError,
  StoreError,
  StoreTimeoutError,
  UnsupportedError,
  ClosedError,
  LoaderTimeoutError,
  CircuitOpenError,
  TransportError,
  HandlerError,
});

/** The stable codes of every cachekit error. */
export type CacheErrorCode =
  | typeof InvalidTtlError.code
  | typeof InvalidKeyError.code
  | typeof InvalidPolicyError.code
  | typeof InvalidOptionError.code
  | typeof SerializationError.code
  | typeof CorruptEntryError.code
  | typeof StoreError.code
  | typeof StoreTimeoutError.code
  | typeof UnsupportedError.code
  | typeof ClosedError.code
  | typeof LoaderTimeoutError.code
  | typeof CircuitOpenError.code
  | typeof TransportError.code
  | typeof HandlerError.code;

/** Wraps anything thrown by a store into a {@link StoreError}, keeping typed cachekit errors as they are. */
export function toStoreError(error: unknown, operation: string): CacheError {
  if (error instanceof CacheError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(`Store operation "${operation}" failed: ${detail}`, { cause: error });
}
