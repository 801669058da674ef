import type { FinishedDelivery } from '@event-scheduler/models';
import { describe, expect, it } from '@jest/globals';
import { latenessMs, summarizeDeliveries, windowStart } from './stats.service.js';

const now = new Date('2026-03-01T10:30:45.000Z');
const from = windowStart(now);

const row = (status: FinishedDelivery['status'], finishedAt: string, late: number | null, kind = 'rule') => {
  const finished = new Date(finishedAt);
  const occurrence = new Date(finished.getTime() - 100);
  return {
    status,
    kind,
    occurrence_at: occurrence,
    finished_at: finished,
    attempts: late === null ? [] : [{ started_at: new Date(occurrence.getTime() + late) }],
  } as FinishedDelivery;
};

describe('delivery statistics', () => {
  it('counts each finished event in the minute it finished', () => {
    const stats = summarizeDeliveries(
      [
        row('succeeded', '2026-03-01T09:31:00.000Z', 3),
        row('failed', '2026-03-01T09:31:59.999Z', 8),
        row('succeeded', '2026-03-01T10:30:44.000Z', 20),
        row('cancelled', '2026-03-01T10:30:01.000Z', null),
      ],
      from,
      now,
      false,
    );
    expect(stats.minutes[0]).toMatchObject({ minute: '2026-03-01T09:31:00.000Z', succeeded: 1, failed: 1 });
    expect(stats.minutes[59]).toMatchObject({ minute: '2026-03-01T10:30:00.000Z', succeeded: 1, cancelled: 1 });
    expect(stats.totals).toEqual({ succeeded: 2, failed: 1, skipped: 0, cancelled: 1 });
    expect(stats.lateness).toMatchObject({ count: 3, p50_ms: 8, p99_ms: 20, max_ms: 20 });
  });

  it('leaves out what finished outside the window and statuses that are not final', () => {
    const stats = summarizeDeliveries(
      [
        row('succeeded', '2026-03-01T09:30:59.999Z', 1),
        row('succeeded', '2026-03-01T10:31:00.000Z', 1),
        row('delivering', '2026-03-01T10:00:00.000Z', 1),
      ],
      from,
      now,
      true,
    );
    expect(stats.totals).toEqual({ succeeded: 0, failed: 0, skipped: 0, cancelled: 0 });
    expect(stats.lateness.count).toBe(0);
    expect(stats.truncated).toBe(true);
  });

  it('measures lateness from the earliest attempt, and not for backfills', () => {
    const r = row('succeeded', '2026-03-01T10:00:00.000Z', 50);
    r.attempts.push({ started_at: new Date(r.occurrence_at.getTime() + 5000) });
    r.attempts.reverse();
    expect(latenessMs(r)).toBe(50);
    expect(latenessMs({ ...r, kind: 'backfill' })).toBeNull();
    expect(latenessMs({ ...r, attempts: [] })).toBeNull();
  });

  it('puts each lateness in the first bucket whose bound holds it', () => {
    const values = [-3, 10, 11, 60_000, 60_001];
    const stats = summarizeDeliveries(
      values.map((v) => row('succeeded', '2026-03-01T10:00:00.000Z', v)),
      from,
      now,
      false,
    );
    const counts = Object.fromEntries(stats.lateness.buckets.map((b) => [String(b.le_ms), b.count]));
    expect(counts).toMatchObject({ '10': 2, '25': 1, '60000': 1, null: 1 });
    expect(stats.lateness.buckets.reduce((s, b) => s + b.count, 0)).toBe(values.length);
  });
});
