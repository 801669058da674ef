import type { CheckOptions, FaultWindow, Lateness, LostOccurrence, Millis, Recovery } from './types.js';

interface Delivered {
  at: Millis;
  arrivedAt: Millis;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** How late first deliveries were after their due instants. */
export function lateness(delivered: readonly Delivered[], lateAfterMs: number): Lateness {
  const ms = delivered.map((d) => d.arrivedAt - d.at).sort((a, b) => a - b);
  return {
    count: ms.length,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
    maxMs: ms.at(-1) ?? null,
    late: ms.filter((m) => m > lateAfterMs).length,
  };
}

/**
 * Recovery after each fault window: the time from the window's end until the last late first
 * delivery that arrived before the next window opened (0 when everything was back on time by the
 * end). Never (null) when an occurrence due from the window's opening on was lost: the system did
 * not catch up at all.
 */
export function recoveries(
  faults: readonly FaultWindow[],
  delivered: readonly Delivered[],
  lost: readonly LostOccurrence[],
  options: Pick<CheckOptions, 'lateAfterMs' | 'dupSlackBeforeMs'>,
): Recovery[] {
  const windows = [...faults].sort((a, b) => a.start - b.start);
  return windows.map((w, i) => {
    const nextStart = windows[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    const opens = w.start - options.dupSlackBeforeMs;
    if (lost.some((l) => l.at >= opens && l.at < nextStart)) return { window: w.name, ms: null };
    let last = w.end;
    for (const d of delivered) {
      const late = d.arrivedAt - d.at > options.lateAfterMs;
      if (late && d.arrivedAt >= opens && d.arrivedAt < nextStart) last = Math.max(last, d.arrivedAt);
    }
    return { window: w.name, ms: last - w.end };
  });
}
