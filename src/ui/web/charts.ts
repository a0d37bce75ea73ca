// Small SVG charts for the history view: chart-layout.ts computes the geometry (tested without
// a browser); this turns it into SVG elements whose labels are text nodes.

import { layoutBars, type ChartPoint } from './chart-layout.js';
import { svg } from './dom.js';

export function drawBars(title: string, points: readonly ChartPoint[], formatValue: (value: number) => string, fixedMax?: number): SVGElement {
  const layout = layoutBars(points, 480, 160, fixedMax);
  const chart = svg('svg', { viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'img', class: 'chart' }, svg('title', {}, title));
  const labelEvery = Math.max(1, Math.ceil(layout.bars.length / 8));
  layout.bars.forEach((bar, index) => {
    chart.append(
      svg('rect', { x: bar.x, y: bar.y, width: bar.width, height: bar.height, class: 'bar' }, svg('title', {}, `${bar.label}: ${formatValue(bar.value)}`)),
    );
    if (index % labelEvery === 0)
      chart.append(svg('text', { x: bar.x + bar.width / 2, y: layout.height - 6, class: 'axis', 'text-anchor': 'middle' }, bar.label.slice(5)));
  });
  chart.append(svg('text', { x: 8, y: 14, class: 'axis' }, `max ${formatValue(layout.max)}`));
  return chart;
}
