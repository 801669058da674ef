import { type FinishedDelivery, findFinishedDeliveries, type Models } from '@event-scheduler/models';
import type { Clock } from '@event-scheduler/scheduling';

/** Minutes covered by the statistics: the current (partial) minute and the 59 before it. */
export const STATS_WINDOW_MINUTES = 60;

/**
 * Upper bounds (inclusive, ms) of the lateness histogram's buckets; one more bucket counts what
 * lies above the last. Fine at the low end, where an on-time system lives, coarse beyond.
 */
export const LATENESS_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000] as const;

/** Most finished events read for one answer (the newest); `truncated` says when there were more. */
export const DEFAULT_MAX_ROWS = 50_000;

const MINUTE_MS = 60_000;

/** The final statuses of an event, each counted per minute. */
export const OUTCOMES = ['succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type OutcomeCounts = Record<Outcome, number>;

export interface DeliveryStats {
  from: string;
  to: string;
  minutes: ({ minute: string } & OutcomeCounts)[];
  totals: OutcomeCounts;
  lateness: {
    count: number;
    p50_ms: number | null;
    p90_ms: number | null;
    p99_ms: number | null;
    max_ms: number | null;
    buckets: { le_ms: number | null; count: number }[];
  };
  truncated: boolean;
}

export interface StatsServiceDeps {
  models: Pick<Models, 'archivedEvents'>;
  clock: Clock;
  /** Most rows read per answer (default 50,000). */
  maxRows?: number;
}

export type StatsService = ReturnType<typeof createStatsService>;

/** Delivery statistics of a tenant over the last hour, derived from its finished events. */
export function createStatsService({ models, clock, maxRows = DEFAULT_MAX_ROWS }: StatsServiceDeps) {
  return {
    async deliveries(tenantId: string): Promise<DeliveryStats> {
      const now = clock();
      const from = windowStart(now);
      // One row more than kept tells whether anything was left out.
      const rows = await findFinishedDeliveries(models, tenantId, from, maxRows + 1);
      return summarizeDeliveries(rows.slice(0, maxRows), from, now, rows.length > maxRows);
    },
  };
}

/** The start of the first whole minute of the window ending at `now`. */
export function windowStart(now: Date): Date {
  const currentMinute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  return new Date(currentMinute - (STATS_WINDOW_MINUTES - 1) * MINUTE_MS);
}

const zeroCounts = (): OutcomeCounts => ({ succeeded: 0, failed: 0, skipped: 0, cancelled: 0 });

const isOutcome = (status: string): status is Outcome => (OUTCOMES as readonly string[]).includes(status);

/**
 * Outcomes per minute of `finished_at`, and the lateness of every delivery that was attempted:
 * its first attempt's start minus its occurrence time. Backfills are left out of the lateness:
 * they fire past occurrences on purpose.
 */
export function summarizeDeliveries(
  rows: readonly FinishedDelivery[],
  from: Date,
  now: Date,
  truncated: boolean,
): DeliveryStats {
  const minutes = Array.from({ length: STATS_WINDOW_MINUTES }, (_, i) => ({
    minute: new Date(from.getTime() + i * MINUTE_MS).toISOString(),
    ...zeroCounts(),
  }));
  const totals = zeroCounts();
  const lateness: number[] = [];
  for (const row of rows) {
    if (!isOutcome(row.status)) continue;
    const index = Math.floor((row.finished_at.getTime() - from.getTime()) / MINUTE_MS);
    const minute = minutes[index];
    if (!minute) continue; // finished after `now` (clock skew between services): not in the window
    minute[row.status] += 1;
    totals[row.status] += 1;
    const late = latenessMs(row);
    if (late !== null) lateness.push(late);
  }
  return {
    from: from.toISOString(),
    to: now.toISOString(),
    minutes,
    totals,
    lateness: latenessSummary(lateness),
    truncated,
  };
}

/** First attempt's start minus the occurrence time; null when nothing was attempted or for backfills. */
export function latenessMs(row: Pick<FinishedDelivery, 'kind' | 'occurrence_at' | 'attempts'>): number | null {
  if (row.kind === 'backfill' || !row.attempts?.length) return null;
  const firstStart = Math.min(...row.attempts.map((a) => new Date(a.started_at).getTime()));
  return firstStart - row.occurrence_at.getTime();
}

function latenessSummary(values: number[]): DeliveryStats['lateness'] {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => (sorted.length ? (sorted[Math.ceil(q * sorted.length) - 1] ?? null) : null);
  const buckets = [...LATENESS_BOUNDS_MS, null].map((le_ms) => ({ le_ms, count: 0 }));
  for (const value of sorted) {
    const bucket = buckets.find((b) => b.le_ms === null || value <= b.le_ms);
    if (bucket) bucket.count += 1;
  }
  return {
    count: sorted.length,
    p50_ms: rank(0.5),
    p90_ms: rank(0.9),
    p99_ms: rank(0.99),
    max_ms: sorted.at(-1) ?? null,
    buckets,
  };
}
