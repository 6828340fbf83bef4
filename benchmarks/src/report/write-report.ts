import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { type ChartFile, scenarioCharts } from './charts.js';
import type { ReportPlace } from './destination.js';
import { renderMarkdown } from './markdown.js';
import type { Fallbacks } from './markdown-environment.js';
import type { RecordedRun } from './types.js';

/** What {@link writeMarkdownReport} wrote. */
export interface WrittenReport {
  readonly markdown: string;
  readonly charts: readonly string[];
}

/** Files of ours in a charts folder: `<scenario>-throughput.svg` and `<scenario>-p99.svg`. */
const CHART_FILE = /-(throughput|p99)\.svg$/;

/** `a/b\\c` -> `a/b/c`: Markdown links use `/` on every OS. */
function posix(path: string): string {
  return path.split(sep).join('/');
}

/** What {@link writeMarkdownReport} needs besides the run. */
export interface WriteOptions {
  /** The Markdown file and its charts folder (see `reportPlace`). */
  readonly place: ReportPlace;
  /** The run's JSON file. */
  readonly json: string;
  /** Paths in the report are shown relative to this folder (the repository root) when inside it. */
  readonly displayRoot: string;
  /** The command that regenerates the report. */
  readonly regenerate: string;
  /** Facts the JSON lacks (an older run), read when the report is generated. */
  readonly fallbacks: Fallbacks;
}

/** `path` relative to `root` when inside it, else as is. */
export function displayPath(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') || isAbsolute(rel) ? posix(path) : posix(rel);
}

/**
 * Writes the charts of every scenario into the place's charts folder (removing charts of ours
 * that this run no longer has), then the Markdown report that links them.
 */
export async function writeMarkdownReport(
  run: RecordedRun,
  options: WriteOptions,
): Promise<WrittenReport> {
  const { place } = options;
  const charts = new Map<string, ChartFile[]>(run.scenarios.map((s) => [s.id, scenarioCharts(s)]));
  const files = [...charts.values()].flat();
  await mkdir(place.charts, { recursive: true });
  const keep = new Set(files.map((f) => f.file));
  for (const stale of await readdir(place.charts)) {
    if (CHART_FILE.test(stale) && !keep.has(stale)) await rm(join(place.charts, stale));
  }
  const written = await Promise.all(
    files.map(async (f) => {
      const path = join(place.charts, f.file);
      await writeFile(path, f.svg);
      return path;
    }),
  );
  const chartsHref = posix(relative(dirname(place.markdown), place.charts));
  const markdown = renderMarkdown(run, {
    source: displayPath(options.json, options.displayRoot),
    regenerate: options.regenerate,
    charts,
    chartHref: (file) => `${chartsHref}/${file}`,
    fallbacks: options.fallbacks,
  });
  await mkdir(dirname(place.markdown), { recursive: true });
  await writeFile(place.markdown, markdown);
  return { markdown: place.markdown, charts: written };
}
