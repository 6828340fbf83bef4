/**
 * Sum of the samples of `metric` whose labels include every one of `labels`, in a scrape in the
 * Prometheus text format (`registry.metrics()`: `name{a="x",b="y"} value`).
 */
export function scrapedValue(
  scrape: string,
  metric: string,
  labels: Readonly<Record<string, string>>,
): number {
  let total = 0;
  for (const line of scrape.split('\n')) {
    let rest: string;
    let labelText = '';
    if (line.startsWith(`${metric}{`)) {
      const close = line.lastIndexOf('}');
      if (close === -1) continue;
      labelText = `,${line.slice(metric.length + 1, close)}`;
      rest = line.slice(close + 1);
    } else if (line.startsWith(`${metric} `)) {
      rest = line.slice(metric.length);
    } else {
      continue;
    }
    const wanted = Object.entries(labels).every(([k, v]) => labelText.includes(`,${k}="${v}"`));
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (wanted && Number.isFinite(value)) total += value;
  }
  return total;
}
