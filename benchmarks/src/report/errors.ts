import { CacheError } from '@cachekit/core';

/** A run JSON that cannot be read or is not a benchmark run (`--report-only <json>`). */
export class ReportInputError extends CacheError {
  static readonly code = 'E_BENCH_REPORT_INPUT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ReportInputError.code, message, options);
  }
}
