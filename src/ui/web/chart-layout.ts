// Bar chart geometry, pure: points in, rectangles out. No DOM here, so tests run it in Node.

export interface ChartPoint {
  label: string;
  value: number;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  value: number;
}

export interface BarLayout {
  width: number;
  height: number;
  bars: Bar[];
  max: number;
}

const PADDING = { top: 8, right: 8, bottom: 22, left: 8 };

/** Bars side by side, scaled so the tallest fills the plot; zero and negative values draw nothing. */
export function layoutBars(points: readonly ChartPoint[], width: number, height: number, fixedMax?: number): BarLayout {
  const plotWidth = width - PADDING.left - PADDING.right;
  const plotHeight = height - PADDING.top - PADDING.bottom;
  const max = fixedMax ?? Math.max(0, ...points.map((point) => point.value));
  const slot = points.length === 0 ? 0 : plotWidth / points.length;
  const barWidth = Math.max(1, slot * 0.7);
  const bars = points.map((point, index) => {
    const barHeight = max > 0 ? (Math.max(0, point.value) / max) * plotHeight : 0;
    return {
      x: PADDING.left + index * slot + (slot - barWidth) / 2,
      y: PADDING.top + plotHeight - barHeight,
      width: barWidth,
      height: barHeight,
      label: point.label,
      value: point.value,
    };
  });
  return { width, height, bars, max };
}
