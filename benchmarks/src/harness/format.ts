/**
 * `1234567` -> `1.23M ops/s`; with a unit (see `OpUnit`), the rate of that unit:
 * `formatRate(0.5, { name: 'req', perOp: 50_000 })` -> `25.0k req/s`.
 */
export function formatRate(
  opsPerSec: number,
  unit?: { readonly name: string; readonly perOp: number },
): string {
  if (!Number.isFinite(opsPerSec)) return '-';
  const rate = opsPerSec * (unit?.perOp ?? 1);
  const name = `${unit?.name ?? 'ops'}/s`;
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M ${name}`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k ${name}`;
  return `${rate.toFixed(0)} ${name}`;
}

/** Nanoseconds in the unit that reads best: `850 ns`, `12.3 µs`, `4.56 ms`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${Math.round(ns)} ns`;
}

/** A ratio with two significant decimals: `0.62x`, `12.4x`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(2)}x`;
}

/** Lays rows out in columns padded to their widest cell (the first row is the header). */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
