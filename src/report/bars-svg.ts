// Horizontal stacked bars as plain SVG, one row per agent: the report's cost chart (one
// segment per turn) and token chart (input, cache read, cache creation, output).

import { escapeHtml } from './html-escape.js';

export interface BarSegment {
  value: number;
  className: string;
  title: string;
}

export interface BarRow {
  label: string;
  segments: BarSegment[];
  /** Shown right of the bar, already formatted. */
  totalText: string;
}

const LAYOUT = { labelWidth: 150, chartWidth: 560, rightMargin: 110, rowHeight: 22, barHeight: 14 } as const;

export function renderBarChartSvg(rows: readonly BarRow[], options: { chart: string; ariaLabel: string }): string {
  const { labelWidth, chartWidth, rightMargin, rowHeight, barHeight } = LAYOUT;
  const width = labelWidth + chartWidth + rightMargin;
  const height = rowHeight * rows.length + 4;
  const max = Math.max(0, ...rows.map((row) => sum(row.segments)));
  const scale = (value: number) => (max > 0 ? (value / max) * chartWidth : 0);
  const body = rows.map((row, index) => {
    const top = index * rowHeight + 2;
    const barTop = top + (rowHeight - barHeight) / 2;
    let x = labelWidth;
    const segments = row.segments
      .filter((segment) => segment.value > 0)
      .map((segment) => {
        const segmentWidth = scale(segment.value);
        const rect = `<rect class="segment ${segment.className}" x="${round(x)}" y="${barTop}" width="${round(Math.max(segmentWidth, 0.5))}" height="${barHeight}" data-value="${segment.value}"><title>${escapeHtml(segment.title)}</title></rect>`;
        x += segmentWidth;
        return rect;
      });
    return [
      `<g class="row" data-agent="${escapeHtml(row.label)}" data-total="${sum(row.segments)}">`,
      `<text class="label" x="${labelWidth - 8}" y="${top + rowHeight / 2 + 4}" text-anchor="end">${escapeHtml(row.label)}</text>`,
      ...segments,
      `<text class="value" x="${round(x + 6)}" y="${top + rowHeight / 2 + 4}">${escapeHtml(row.totalText)}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<svg class="bars ${escapeHtml(options.chart)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.ariaLabel)}">`,
    ...body,
    '</svg>',
  ].join('\n');
}

const sum = (segments: readonly BarSegment[]) => segments.reduce((total, segment) => total + segment.value, 0);
const round = (value: number) => Math.round(value * 10) / 10;
