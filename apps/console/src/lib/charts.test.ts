import { describe, expect, it } from '@jest/globals';
import { histogram, niceCeiling, type Plot, stackedColumns, ticks, yOf } from './charts.js';

const plot: Plot = { width: 110, height: 120, left: 10, bottom: 10, top: 10 };

describe('chart geometry', () => {
  it('rounds an axis top up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 40, 99, 130, 4500].map(niceCeiling)).toEqual([1, 1, 5, 10, 10, 20, 50, 100, 200, 5000]);
    expect(ticks(50)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(ticks(2)).toEqual([0, 1, 2]);
    expect(ticks(1)).toEqual([0, 1]);
  });

  it('maps 0 to the bottom of the plot and the top value to its top', () => {
    expect(yOf(plot, 0, 10)).toBe(110);
    expect(yOf(plot, 10, 10)).toBe(10);
    expect(yOf(plot, 5, 10)).toBe(60);
  });

  it('stacks each column bottom up in series order and leaves empty segments out', () => {
    const { max, columns } = stackedColumns(
      plot,
      [
        { ok: 3, bad: 1 },
        { ok: 0, bad: 0 },
      ],
      ['ok', 'bad'],
    );
    expect(max).toBe(5);
    expect(columns[1]?.segments).toEqual([]);
    const [ok, bad] = columns[0]?.segments ?? [];
    expect(ok).toMatchObject({ series: 'ok', value: 3, y: 50, height: 60 });
    expect(bad).toMatchObject({ series: 'bad', value: 1, y: 30, height: 20 });
    // Columns share the width left of the axis, side by side.
    expect(ok?.x).toBeGreaterThanOrEqual(plot.left);
    expect((ok?.x ?? 0) + (ok?.width ?? 0)).toBeLessThanOrEqual(plot.left + 50);
  });

  it('draws one histogram bar per bucket, empty ones at height 0', () => {
    const { max, bars } = histogram(plot, [0, 2, 1]);
    expect(max).toBe(2);
    expect(bars.map((b) => b.height)).toEqual([0, 100, 50]);
    expect(bars.map((b) => Math.round(b.center))).toEqual([27, 60, 93]);
  });
});
