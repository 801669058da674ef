/**
 * GET /api/stats/deliveries against the real database: outcomes per minute and the lateness
 * distribution of one tenant's finished events over the last hour.
 */

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStatsService, LATENESS_BOUNDS_MS, windowStart } from '../src/services/stats.service.js';
import { HOOK_TIMEOUT_MS, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let key: string;
let otherKey: string;
/** Any ObjectId text: mongoose casts it; the statistics never look at the schedule. */
const scheduleId = '5f1d7a0e8f1b2c3d4e5f6a7b';

beforeAll(async () => {
  api = await startTestApi('api-stats');
  key = await api.newKey('stats-a');
  otherKey = await api.newKey('stats-b');
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

interface Finished {
  tenant?: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  /** How long ago it finished. */
  agoMs: number;
  /** First attempt's start after the occurrence; undefined: no attempt. */
  lateMs?: number;
  kind?: 'rule' | 'manual' | 'backfill';
}

/** Archived events as the worker leaves them, finished `agoMs` before now. */
async function seed(events: Finished[]): Promise<void> {
  const now = Date.now();
  await api.models.archivedEvents.insertMany(
    events.map((e, i) => {
      const finishedAt = new Date(now - e.agoMs);
      // `- i`: occurrences of one schedule are unique (schedule, instant).
      const occurrenceAt = new Date(finishedAt.getTime() - (e.lateMs ?? 0) - 50 - i);
      const attempts =
        e.lateMs === undefined
          ? []
          : [
              {
                number: 1,
                started_at: new Date(occurrenceAt.getTime() + e.lateMs),
                duration_ms: 20,
                status_code: e.status === 'succeeded' ? 200 : 500,
                error_kind: null,
                error_message: null,
                response_snippet: 'ok',
              },
            ];
      return {
        tenant_id: e.tenant ?? 'stats-a',
        schedule_id: scheduleId,
        schedule_version: 1,
        occurrence_at: occurrenceAt,
        kind: e.kind ?? 'rule',
        status: e.status,
        history: [],
        attempts,
        finished_at: finishedAt,
        archived_at: finishedAt,
      };
    }),
  );
}

describe('GET /api/stats/deliveries', () => {
  it('answers an empty hour with 60 zero minutes and no lateness', async () => {
    const reply = await api.call('GET', '/api/stats/deliveries', { key });
    expect(reply.status).toBe(200);
    expect(reply.body.minutes).toHaveLength(60);
    expect(reply.body.totals).toEqual({ succeeded: 0, failed: 0, skipped: 0, cancelled: 0 });
    expect(reply.body.lateness).toMatchObject({ count: 0, p50_ms: null, max_ms: null });
    expect(reply.body.lateness.buckets).toHaveLength(LATENESS_BOUNDS_MS.length + 1);
    expect(reply.body.truncated).toBe(false);
    // Whole minutes, oldest first, the last one holding now.
    const minutes = reply.body.minutes.map((m: { minute: string }) => Date.parse(m.minute));
    expect(minutes[0]).toBe(Date.parse(reply.body.from));
    expect(minutes.every((t: number, i: number) => i === 0 || t - (minutes[i - 1] as number) === 60_000)).toBe(true);
    expect(Date.parse(reply.body.to) - (minutes.at(-1) as number)).toBeLessThan(60_000);
  });

  it('counts the tenant’s outcomes per minute and measures lateness from the first attempt', async () => {
    await seed([
      { status: 'succeeded', agoMs: 1000, lateMs: 5 },
      { status: 'succeeded', agoMs: 1500, lateMs: 40 },
      { status: 'failed', agoMs: 2000, lateMs: 700 },
      { status: 'skipped', agoMs: 2500 },
      { status: 'cancelled', agoMs: 3000 },
      { status: 'succeeded', agoMs: 10 * 60_000, lateMs: 120_000 },
      // Left out of the lateness: a backfill fires past occurrences on purpose.
      { status: 'succeeded', agoMs: 4000, lateMs: 3_600_000, kind: 'backfill' },
      // Outside the window, and another tenant's: not counted.
      { status: 'failed', agoMs: 2 * 3_600_000, lateMs: 1 },
      { tenant: 'stats-b', status: 'failed', agoMs: 1000, lateMs: 1 },
    ]);
    const reply = await api.call('GET', '/api/stats/deliveries', { key });
    expect(reply.status).toBe(200);
    const { totals, lateness, minutes } = reply.body;
    expect(totals).toEqual({ succeeded: 4, failed: 1, skipped: 1, cancelled: 1 });
    const perMinute = minutes.reduce(
      (sum: number, m: { succeeded: number; failed: number; skipped: number; cancelled: number }) =>
        sum + m.succeeded + m.failed + m.skipped + m.cancelled,
      0,
    );
    expect(perMinute).toBe(7);
    expect(lateness).toMatchObject({ count: 4, p50_ms: 40, p90_ms: 120_000, max_ms: 120_000 });
    const counts = Object.fromEntries(
      lateness.buckets.map((b: { le_ms: number | null; count: number }) => [String(b.le_ms), b.count]),
    );
    expect(counts).toMatchObject({ '10': 1, '50': 1, '1000': 1, null: 1 });
    expect(lateness.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(4);
  });

  it('shows another tenant only its own events', async () => {
    const reply = await api.call('GET', '/api/stats/deliveries', { key: otherKey });
    expect(reply.status).toBe(200);
    expect(reply.body.totals).toEqual({ succeeded: 0, failed: 1, skipped: 0, cancelled: 0 });
    expect(reply.body.lateness.count).toBe(1);
  });

  it('needs an API key', async () => {
    const reply = await api.call('GET', '/api/stats/deliveries');
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('unauthorized');
    const wrong = await api.call('GET', '/api/stats/deliveries', { key: 'sk_not-a-key' });
    expect(wrong.status).toBe(401);
  });

  it('reads a bounded number of events and says when it left some out', async () => {
    const stats = createStatsService({ models: api.models, clock: () => new Date(), maxRows: 3 });
    const capped = await stats.deliveries('stats-a');
    expect(capped.truncated).toBe(true);
    const counted = Object.values(capped.totals).reduce((a, b) => a + b, 0);
    expect(counted).toBe(3);
    // The newest are kept: the three that finished 1.0, 1.5 and 2.0 s ago.
    expect(capped.totals).toMatchObject({ succeeded: 2, failed: 1 });
    const whole = await createStatsService({ models: api.models, clock: () => new Date(), maxRows: 7 }).deliveries(
      'stats-a',
    );
    expect(whole.truncated).toBe(false);
  });

  it('starts the window at the first of 60 whole minutes', () => {
    expect(windowStart(new Date('2026-03-01T10:30:45.123Z')).toISOString()).toBe('2026-03-01T09:31:00.000Z');
  });
});
