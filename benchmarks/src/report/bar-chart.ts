import type { Role } from '../harness/types.js';
import { escapeXml, niceTicks, px, text, textWidth } from './svg.js';

/** One contender's bar. */
export interface Bar {
  readonly label: string;
  readonly role: Role;
  /** The bar's length; undefined or not finite: no bar (the contender failed or measured nothing). */
  readonly value: number | undefined;
  /** Printed after the bar (`5.41M ops/s (0.82x)`), or why there is no bar (`failed at verify`). */
  readonly caption: string;
  /** A whisker from min to max (the spread over rounds). */
  readonly range?: readonly [number, number];
}

/** A horizontal bar chart: one bar per contender, a linear axis from 0. */
export interface BarChart {
  readonly title: string;
  /** One line under the title: what a bar is, what is better. */
  readonly subtitle: string;
  /** Under the axis: `ops/s`, `p99 (µs)`. */
  readonly axisLabel: string;
  readonly bars: readonly Bar[];
  /** Vertical dashed lines across the bars: a bound a target sets (`target p99 <= 2 ms`). */
  readonly markers?: readonly { readonly value: number; readonly label: string }[];
  /** Formats an axis tick (`2M`, `500 µs`). */
  formatTick(value: number): string;
}

/** Fill colour of each role: cachekit in blue, peers in orange, the reference in grey. */
export const ROLE_COLORS: Readonly<Record<Role, string>> = {
  subject: '#2b6cb0',
  peer: '#dd6b20',
  reference: '#718096',
};

const WIDTH = 820;
const FONT = 12;
const BAR = 20;
const GAP = 12;
const CAPTION = 190;

function finite(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

/** The roles present, each with its colour. */
function legend(y: number, bars: readonly Bar[]): string {
  const items: [Role, string][] = [
    ['subject', 'cachekit (subject)'],
    ['peer', 'peer'],
    ['reference', 'reference'],
  ];
  let x = 16;
  return items
    .filter(([role]) => bars.some((b) => b.role === role))
    .map(([role, label]) => {
      const item = `<rect x="${px(x)}" y="${px(y - 10)}" width="12" height="12" fill="${ROLE_COLORS[role]}"/>${text(x + 17, y, label)}`;
      x += 17 + textWidth(label, FONT) + 18;
      return item;
    })
    .join('');
}

/**
 * Renders a chart as a standalone SVG document (no script, no external font or style): every bar
 * is a `<rect class="bar">` with its contender in `data-contender`.
 */
export function barChartSvg(chart: BarChart): string {
  const labelWidth = Math.min(
    260,
    Math.max(110, ...chart.bars.map((b) => textWidth(b.label, FONT) + 16)),
  );
  const left = 16 + labelWidth;
  const plotWidth = WIDTH - left - CAPTION;
  const top = 82;
  const plotHeight = chart.bars.length * (BAR + GAP) + GAP;
  const height = top + plotHeight + 52;
  const domain = Math.max(0, ...chart.bars.flatMap((b) => [b.value, b.range?.[1]].filter(finite)));
  const ticks = niceTicks(domain);
  const end = ticks[ticks.length - 1] ?? 1;
  const x = (value: number): number => left + (Math.max(0, value) / end) * plotWidth;
  const axisY = top + plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${px(height)}" viewBox="0 0 ${WIDTH} ${px(height)}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}" role="img">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${px(height)}" fill="#ffffff"/>`,
    text(16, 24, chart.title, 'font-size="15" font-weight="bold"'),
    text(16, 44, chart.subtitle, 'fill="#4a5568"'),
    legend(66, chart.bars),
  ];
  for (const tick of ticks) {
    const tx = x(tick);
    parts.push(
      `<line x1="${px(tx)}" y1="${top}" x2="${px(tx)}" y2="${px(axisY)}" stroke="#e2e8f0"/>`,
      `<line x1="${px(tx)}" y1="${px(axisY)}" x2="${px(tx)}" y2="${px(axisY + 5)}" stroke="#4a5568"/>`,
      text(tx, axisY + 18, chart.formatTick(tick), 'text-anchor="middle" fill="#4a5568"'),
    );
  }
  parts.push(
    `<line x1="${px(left)}" y1="${top}" x2="${px(left)}" y2="${px(axisY)}" stroke="#4a5568"/>`,
    `<line x1="${px(left)}" y1="${px(axisY)}" x2="${px(left + plotWidth)}" y2="${px(axisY)}" stroke="#4a5568"/>`,
    text(left + plotWidth / 2, axisY + 38, chart.axisLabel, 'text-anchor="middle"'),
  );
  for (const marker of chart.markers ?? []) {
    if (!finite(marker.value)) continue;
    const mx = x(marker.value);
    parts.push(
      `<line class="marker" x1="${px(mx)}" y1="${top - 4}" x2="${px(mx)}" y2="${px(axisY)}" stroke="#c53030" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      text(mx + 4, top + 6, marker.label, 'fill="#c53030" font-size="11"'),
    );
  }
  chart.bars.forEach((bar, i) => {
    const y = top + GAP + i * (BAR + GAP);
    const middle = y + BAR / 2 + FONT / 3;
    parts.push(text(left - 8, middle, bar.label, 'text-anchor="end"'));
    if (!finite(bar.value)) {
      parts.push(text(left + 6, middle, bar.caption, 'fill="#c53030"'));
      return;
    }
    const barEnd = x(bar.value);
    parts.push(
      `<rect class="bar" data-contender="${escapeXml(bar.label)}" x="${px(left)}" y="${px(y)}" width="${px(Math.max(1, barEnd - left))}" height="${BAR}" fill="${ROLE_COLORS[bar.role]}"/>`,
    );
    let captionX = barEnd;
    const [low, high] = bar.range ?? [Number.NaN, Number.NaN];
    if (finite(low) && finite(high) && high > low) {
      const mid = y + BAR / 2;
      parts.push(
        `<path class="range" d="M${px(x(low))} ${px(mid)}H${px(x(high))}M${px(x(low))} ${px(mid - 5)}V${px(mid + 5)}M${px(x(high))} ${px(mid - 5)}V${px(mid + 5)}" stroke="#1a202c" fill="none"/>`,
      );
      captionX = Math.max(captionX, x(high));
    }
    parts.push(text(captionX + 6, middle, bar.caption));
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
