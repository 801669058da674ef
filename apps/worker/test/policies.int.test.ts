/** Overlap policies, auto-pause and several workers sharing a shard's worker queue. */
import { createRuntimeStore, type RuntimeStore } from '@event-scheduler/engine';
import type { ScheduleRecord } from '@event-scheduler/models';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  archived,
  createSchedule,
  eventually,
  type Harness,
  liveInStatus,
  openHarness,
  planEvent,
  planEvents,
  receiversClosedAfterEach,
  sleep,
  whereabouts,
} from './fixtures.js';
import { type InProcessWorker, startWorker } from './worker-harness.js';

let h: Harness;
let worker: InProcessWorker;
let runtime: RuntimeStore;
const receiver = receiversClosedAfterEach();

// Generous: the machine is shared and noisy; nothing here asserts how long a step takes.
jest.setTimeout(30_000);

// A lead of 4 s: a retry due within it is taken at once and held by a worker until its instant
// (the case the overlap policy must still reach); batches of 2 sends, so a burst makes many
// batches for several workers to share. Answers that keep an attempt in flight take 4 s, long
// enough for the next occurrence to be planned and sent meanwhile on a busy machine.
beforeAll(async () => {
  h = await openHarness('worker-policies', { leadMs: 4000, batchSize: 2 });
  worker = await startWorker(h, { allowList: '127.0.0.1' });
  runtime = createRuntimeStore(h.redis, h.engine.keys);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

/** What workers learned of a schedule's run so far (failure streak), from Redis. */
async function streak(schedule: ScheduleRecord): Promise<number> {
  const facts = await runtime.read([schedule._id.toHexString()]);
  return facts.get(schedule._id.toHexString())?.consecutiveFailures ?? 0;
}

const webhookIds = (r: { requests: { headers: Record<string, unknown> }[] }) =>
  r.requests.map((q) => q.headers['webhook-id']);

describe('overlap policy', () => {
  it('allow: a new occurrence is delivered while the previous one is still in flight', async () => {
    const r = await receiver();
    r.respond = (_q, i) => (i === 0 ? { status: 200, delayMs: 4000 } : { status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, overlap_policy: 'allow' });
    const first = await planEvent(h.lane, schedule);
    await r.waitFor(1);
    const second = await planEvent(h.lane, schedule);

    const [a, b] = await Promise.all([archived(h.models, first), archived(h.models, second)]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    // The second went out before the first was answered: they overlapped.
    expect(b.attempts[0]!.started_at.getTime()).toBeLessThan(a.finished_at!.getTime());
  });

  it('skip: the new occurrence is recorded skipped while the previous one is delivering', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, delayMs: 4000 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, overlap_policy: 'skip' });
    const first = await planEvent(h.lane, schedule);
    await r.waitFor(1);
    const second = await planEvent(h.lane, schedule);

    const skipped = await archived(h.models, second);
    expect(skipped.status).toBe('skipped');
    expect(skipped.attempts).toHaveLength(0);
    expect(skipped.history.at(-1)?.message).toBe(
      `skipped: a previous occurrence (${first._id.toHexString()}) is still being delivered`,
    );
    expect((await archived(h.models, first)).status).toBe('succeeded');
    expect(webhookIds(r)).toEqual([first._id.toString()]);
  });

  it('skip: also while the previous one waits for a retry; once it is done, the next proceeds', async () => {
    const r = await receiver();
    // The first occurrence's two attempts fail; everything after succeeds.
    r.respond = (_q, i) => ({ status: i < 2 ? 500 : 200 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      overlap_policy: 'skip',
      retry_policy: { max_attempts: 2, min_backoff_ms: 4000, max_backoff_ms: 4000 },
    });
    const first = await planEvent(h.lane, schedule);
    await liveInStatus(h.models, first, 'retry_scheduled');
    const second = await planEvent(h.lane, schedule);
    expect((await archived(h.models, second)).status).toBe('skipped');
    expect((await archived(h.models, first)).status).toBe('failed');
    const third = await planEvent(h.lane, schedule);
    expect((await archived(h.models, third)).status).toBe('succeeded');
    expect(webhookIds(r)).toEqual([first._id.toString(), first._id.toString(), third._id.toString()]);
  });

  it('cancel_previous: the older occurrence loses its pending retry and is recorded superseded', async () => {
    const r = await receiver();
    r.respond = (_q, i) => ({ status: i === 0 ? 503 : 200 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      overlap_policy: 'cancel_previous',
      retry_policy: { max_attempts: 5, min_backoff_ms: 3800, max_backoff_ms: 3800 },
    });
    const first = await planEvent(h.lane, schedule);
    const waiting = await liveInStatus(h.models, first, 'retry_scheduled');
    // The pending retry is already held by a worker, waiting for its instant (within the lead).
    await eventually('the retry to be held', async () => (await whereabouts(h.lane, waiting)) === 'held');
    const second = await planEvent(h.lane, schedule);

    const superseded = await archived(h.models, first);
    expect(superseded.status).toBe('cancelled');
    expect(superseded.history.at(-1)?.message).toBe(
      `superseded by the occurrence at ${second.occurrence_at.toISOString()}; remaining retries dropped`,
    );
    expect(superseded.attempts.map((a) => a.status_code)).toEqual([503]);
    expect((await archived(h.models, second)).status).toBe('succeeded');
    // Past the instant the dropped retry was due: the receiver never saw the first occurrence
    // again, and its retry has left the plan.
    await sleep(Math.max(0, waiting.next_attempt_at!.getTime() + 500 - Date.now()));
    expect(webhookIds(r)).toEqual([first._id.toString(), second._id.toString()]);
    expect(await whereabouts(h.lane, waiting)).toBe('nowhere');
    expect((await h.models.archivedEvents.findById(first._id).lean())?.attempts).toHaveLength(1);
  });

  it('cancel_previous: an attempt in flight finishes and is kept on the superseded event (succeeded when answered 2xx), and is not retried', async () => {
    const r = await receiver();
    const policy = { overlap_policy: 'cancel_previous' as const };
    const ok = await createSchedule(h.models, { callback_url: r.url, ...policy });
    const failing = await createSchedule(h.models, {
      callback_url: r.url,
      ...policy,
      retry_policy: { max_attempts: 5, min_backoff_ms: 300, max_backoff_ms: 300 },
    });
    // Two schedules: the first occurrence's attempt, still in flight when the second one goes,
    // succeeds on one and fails on the other.
    const firstSeen = new Set<string>();
    r.respond = (q) => {
      const scheduleId = String(q.headers['x-schedule-id']);
      if (firstSeen.has(scheduleId)) return { status: 200 };
      firstSeen.add(scheduleId);
      return { status: scheduleId === String(failing._id) ? 503 : 200, delayMs: 4000 };
    };
    const [okFirst, failingFirst] = await Promise.all([planEvent(h.lane, ok), planEvent(h.lane, failing)]);
    await r.waitFor(2);
    const [okSecond, failingSecond] = await Promise.all([planEvent(h.lane, ok), planEvent(h.lane, failing)]);

    expect((await archived(h.models, okSecond)).status).toBe('succeeded');
    expect((await archived(h.models, failingSecond)).status).toBe('succeeded');
    const kept = await Promise.all(
      [okFirst, failingFirst].map((first) =>
        eventually('the in-flight attempt on the archived event', async () => {
          const doc = await archived(h.models, first);
          return doc.attempts.length > 0 ? doc : null;
        }),
      ),
    );
    expect(kept.map((d) => [d.status, d.attempts.map((a) => a.status_code)])).toEqual([
      ['succeeded', [200]],
      ['cancelled', [503]],
    ]);
    // The failed attempt found its event superseded when it was recorded (supersede deletes the
    // live copy after archiving it): no retry is recorded or planned, and none follows, not even
    // past the instant it would have been due (the policy's backoff is at most 200 ms).
    expect(await h.models.events.findById(failingFirst._id).lean()).toBeNull();
    const planned = await h.engine.timeline.planned(0, Date.now() + 60_000);
    expect(planned.filter((s) => s.eventId === String(failingFirst._id))).toEqual([]);
    await sleep(1000);
    expect(r.requests.filter((q) => q.headers['webhook-id'] === String(failingFirst._id))).toHaveLength(1);
    expect((await archived(h.models, failingFirst)).attempts).toHaveLength(1);
  });
});

describe('auto-pause', () => {
  it('pauses the schedule after max_consecutive_failures failed occurrences and cancels what is planned', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 410 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, max_consecutive_failures: 2 });
    const planned = await planEvent(h.lane, schedule, { inMs: 60_000 });

    const first = await planEvent(h.lane, schedule);
    const failedFirst = await archived(h.models, first);
    expect(failedFirst.status).toBe('failed');
    await eventually('one failure counted', async () => (await streak(schedule)) === 1);
    expect((await h.models.schedules.findById(schedule._id).lean())?.status).toBe('active');

    const second = await planEvent(h.lane, schedule);
    const failedSecond = await archived(h.models, second);
    const paused = await eventually('the schedule to be paused', async () => {
      const doc = await h.models.schedules.findById(schedule._id).lean();
      return doc?.status === 'paused' ? doc : null;
    });
    expect(paused.paused_reason).toBe(
      `auto-paused after 2 consecutive failures since ${failedFirst.finished_at!.toISOString()}`,
    );
    expect(paused.paused_at!.getTime()).toBeGreaterThanOrEqual(failedSecond.finished_at!.getTime());
    expect(paused.version).toBe(schedule.version + 1);
    // The streak restarts at the pause (once the pause is applied), so a resume starts afresh.
    await eventually('the streak to restart', async () => (await streak(schedule)) === 0);
    const cancelled = await archived(h.models, planned);
    expect([cancelled.status, cancelled.history.at(-1)?.message]).toEqual(['cancelled', paused.paused_reason]);
    expect(await whereabouts(h.lane, planned)).toBe('nowhere');
  });

  it('a success ends the streak; 0 turns auto-pause off', async () => {
    const r = await receiver();
    const outcomes = [500, 200, 500];
    r.respond = (_q, i) => ({ status: outcomes[i] ?? 500 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      max_consecutive_failures: 2,
      retry_policy: { max_attempts: 1, min_backoff_ms: 50, max_backoff_ms: 50 },
    });
    const counts: number[] = [];
    for (const expected of [1, 0, 1]) {
      const event = await planEvent(h.lane, schedule);
      await archived(h.models, event);
      await eventually('the streak count', async () => (await streak(schedule)) === expected);
      counts.push(await streak(schedule));
    }
    expect(counts).toEqual([1, 0, 1]);
    expect((await h.models.schedules.findById(schedule._id).lean())?.status).toBe('active');

    const off = await createSchedule(h.models, { callback_url: r.url, max_consecutive_failures: 0 });
    r.respond = () => ({ status: 400 });
    for (let i = 0; i < 3; i++) await archived(h.models, await planEvent(h.lane, off));
    await eventually('three failures counted', async () => (await streak(off)) === 3);
    const still = await h.models.schedules.findById(off._id).lean();
    expect([still?.status, still?.version]).toEqual(['active', 1]);
  });
});

describe('several workers on one queue', () => {
  it('share the batches: each occurrence is delivered once', async () => {
    const second = await startWorker(h, { allowList: '127.0.0.1' });
    try {
      const r = await receiver();
      r.respond = () => ({ status: 200, delayMs: 20 });
      const schedule = await createSchedule(h.models, { callback_url: r.url });
      // 30 occurrences a millisecond apart, 3.5 s from now: 15 batches of 2 are held at once, more
      // than one worker's 8, so both hold some.
      const at = Date.now() + 3500;
      const events = await planEvents(
        h.lane,
        schedule,
        Array.from({ length: 30 }, (_, i) => new Date(at + i)),
      );
      expect(events).toHaveLength(30);
      const done = await Promise.all(events.map((e) => archived(h.models, e, 30_000)));
      expect(done.every((d) => d.status === 'succeeded' && d.attempts.length === 1)).toBe(true);
      const ids = webhookIds(r);
      expect(new Set(ids).size).toBe(30);
      expect(ids).toHaveLength(30);
      const byWorker = await Promise.all(
        [worker, second].map(async (w) =>
          Number(/deliveries_total\{outcome="succeeded"\} (\d+)/.exec(await w.registry.metrics())?.[1] ?? 0),
        ),
      );
      console.log('succeeded deliveries per worker (cumulative in this file)', byWorker);
      expect(byWorker[1]).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});
