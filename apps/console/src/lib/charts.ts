/**
 * Geometry of the overview's two charts, kept apart from the SVG markup so it can be tested: a
 * stacked bar per minute, and a histogram. Coordinates are in the chart's viewBox units.
 */

export interface Plot {
  width: number;
  height: number;
  /** Space for the y-axis labels on the left and the x-axis labels below. */
  left: number;
  bottom: number;
  top: number;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest 1, 2 or 5 × 10^n at or above `value` (at least 1): a round top for an axis. */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

/** Axis ticks from 0 to `max` (a niceCeiling), at most five intervals, whole numbers only. */
export function ticks(max: number): number[] {
  const intervals = [5, 4, 2, 1].find((n) => Number.isInteger(max / n)) ?? 1;
  return Array.from({ length: intervals + 1 }, (_, i) => (max / intervals) * i);
}

/** The y coordinate of `value` on an axis from 0 to `max`. */
export function yOf(plot: Plot, value: number, max: number): number {
  const inner = plot.height - plot.top - plot.bottom;
  return plot.top + inner - (value / max) * inner;
}

/**
 * Stacked bars: one column per row of `rows`, one segment per series in order, bottom up.
 * Empty segments are left out; `max` is the axis top shared by every column.
 */
export function stackedColumns<S extends string>(
  plot: Plot,
  rows: readonly Record<S, number>[],
  series: readonly S[],
): { max: number; columns: { index: number; segments: (Bar & { series: S; value: number })[] }[] } {
  const totals = rows.map((row) => series.reduce((sum, s) => sum + row[s], 0));
  const max = niceCeiling(Math.max(0, ...totals));
  const slot = (plot.width - plot.left) / Math.max(rows.length, 1);
  const barWidth = Math.max(slot * 0.7, 1);
  const columns = rows.map((row, index) => {
    let base = 0;
    const segments: (Bar & { series: S; value: number })[] = [];
    for (const s of series) {
      const value = row[s];
      if (value <= 0) continue;
      const top = yOf(plot, base + value, max);
      segments.push({
        series: s,
        value,
        x: plot.left + index * slot + (slot - barWidth) / 2,
        y: top,
        width: barWidth,
        height: yOf(plot, base, max) - top,
      });
      base += value;
    }
    return { index, segments };
  });
  return { max, columns };
}

/** Histogram bars, one per bucket, evenly spaced (buckets are ordinal: their bounds are not linear). */
export function histogram(
  plot: Plot,
  counts: readonly number[],
): { max: number; bars: (Bar & { count: number; center: number })[] } {
  const max = niceCeiling(Math.max(0, ...counts));
  const slot = (plot.width - plot.left) / Math.max(counts.length, 1);
  const bars = counts.map((count, i) => {
    const y = yOf(plot, count, max);
    const x = plot.left + i * slot + slot * 0.1;
    return { count, x, y, width: slot * 0.8, height: yOf(plot, 0, max) - y, center: x + slot * 0.4 };
  });
  return { max, bars };
}
