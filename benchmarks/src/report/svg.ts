/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** A number for an SVG attribute: at most one decimal. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** `<text>` at (x, y); `attributes` are written as given (already escaped). */
export function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attributes === '' ? '' : ` ${attributes}`}>${escapeXml(content)}</text>`;
}

/** Rough width of `content` in the chart's font at `size` px (no layout engine here). */
export function textWidth(content: string, size: number): number {
  return content.length * size * 0.6;
}

/**
 * Ticks for an axis from 0 to at least `max`: about `count` steps of 1, 2 or 5 times a power of
 * ten. Returns the ticks, the last one the axis's end.
 */
export function niceTicks(max: number, count = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
  const steps = Math.ceil(max / step - 1e-9);
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}
