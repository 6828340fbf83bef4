import { CacheError } from '@cachekit/core';

/** A fleet demo option or environment variable with a value it cannot use. */
export class FleetOptionError extends CacheError {
  static readonly code = 'E_FLEET_OPTION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(FleetOptionError.code, message, options);
  }
}

/** A miner id the fleet does not have. Routes answer 404 (never cached). */
export class UnknownMinerError extends CacheError {
  static readonly code = 'E_UNKNOWN_MINER';
  readonly minerId: string;
  constructor(minerId: string) {
    super(
      UnknownMinerError.code,
      `No miner ${JSON.stringify(minerId)} in this fleet: GET /miners lists the miner ids.`,
    );
    this.minerId = minerId;
  }
}

/** The fleet's backend (Redis) could not be reached when the app started. */
export class FleetBackendError extends CacheError {
  static readonly code = 'E_FLEET_BACKEND';
  constructor(message: string, options?: { cause?: unknown }) {
    super(FleetBackendError.code, message, options);
  }
}

/** A config was written to the source, but cached copies could not be invalidated (Redis down). */
export class ConfigNotInvalidatedError extends CacheError {
  static readonly code = 'E_CONFIG_NOT_INVALIDATED';
  readonly minerId: string;
  constructor(minerId: string, cause: unknown) {
    super(
      ConfigNotInvalidatedError.code,
      `The config of ${minerId} was written, but cached copies could not be invalidated (${(cause as Error)?.message ?? String(cause)}): retry the write.`,
      { cause },
    );
    this.minerId = minerId;
  }
}
