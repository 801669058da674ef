import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Milliseconds at each percentile of PERCENTILE_CURVE, for the chart. */
  curve: [number, number][];
}

/** Percentiles drawn on the lateness chart (x axis, log-scaled as 1 / (1 - p)). */
export const PERCENTILE_CURVE = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];

/** An HDR histogram of milliseconds, kept in microseconds (3 significant digits, up to an hour). */
export function createLatencyHistogram() {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let below = 0;
  return {
    /** Records one value in ms; negative values (early) are counted and recorded as 0. */
    record(ms: number) {
      if (ms < 0) below += 1;
      histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
    },
    /** How many values were negative (arrived before their scheduled time). */
    get early() {
      return below;
    },
    summary(): LatencySummary {
      const at = (p: number) => histogram.getValueAtPercentile(p) / 1000;
      return {
        count: histogram.totalCount,
        p50: at(50),
        p90: at(90),
        p99: at(99),
        p999: at(99.9),
        max: histogram.maxValue / 1000,
        curve: PERCENTILE_CURVE.map((p) => [p, at(p)]),
      };
    },
  };
}
