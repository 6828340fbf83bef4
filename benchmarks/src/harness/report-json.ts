import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from './types.js';

/** `2026-01-02T03:04:05.678Z` -> `2026-01-02T03-04-05-678Z` (a file name on every OS). */
export function fileStamp(iso: string): string {
  return iso.replace(/[:.]/g, '-');
}

/** Writes the run as `<dir>/<timestamp>.json` and returns the file's path. */
export async function writeReport(report: RunReport, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${fileStamp(report.startedAt)}.json`);
  // NaN (a failed contender's rates) is not JSON: write null instead.
  const json = JSON.stringify(
    report,
    (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
    2,
  );
  await writeFile(path, `${json}\n`);
  return path;
}
