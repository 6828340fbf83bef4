import type { BusWatch } from './bus-watch.js';
import type { Recorder } from './recorder.js';
import type { Counts, NamespaceRecord } from './series.js';

/** What exporters read their counters and gauges from, at collection time. */
export interface ExportSource {
  readonly recorder: Recorder;
  readonly bus: BusWatch | undefined;
  /** Whether counters carry a `group` label (the `keyGroup` option). */
  readonly withGroups: boolean;
}

/** One labelled series of counters: a namespace, or one key group of it. */
export interface CountsRow {
  readonly namespace: string;
  /** Present with `keyGroup` (`''` for events without a key). */
  readonly group: string | undefined;
  readonly counts: Counts;
}

/** The counter series to export, with L1 hits refreshed first. */
export function countRows(source: ExportSource): { rows: CountsRow[]; records: NamespaceRecord[] } {
  source.recorder.refreshL1();
  const records = [...source.recorder.namespaces.values()];
  const rows: CountsRow[] = [];
  for (const record of records) {
    if (!source.withGroups) {
      rows.push({ namespace: record.name, group: undefined, counts: record.counts });
      continue;
    }
    for (const [group, counts] of record.groups)
      rows.push({ namespace: record.name, group, counts });
  }
  return { rows, records };
}
