import { occurrenceJobId } from '@event-scheduler/queues';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addExtraEvents,
  cancelPlannedEvents,
  type PlanningDeps,
  planningTick,
  planSchedule,
  planSchedules,
} from '../src/index.js';
import { everySeconds, type Harness, insertSchedule, jobIds, openHarness, reload } from './fixtures.js';

let h: Harness;
let deps: PlanningDeps;
const MINUTE = 60_000;

beforeAll(async () => {
  h = await openHarness('planning');
  deps = { models: h.models, queues: h.queues, log: h.log, windowMs: MINUTE, leadMs: 2000 };
});

afterAll(async () => {
  await h.close();
});

/** A whole second a little in the future, so tests start on a clean boundary. */
const base = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
const idsOf = (scheduleId: string, times: Date[]) => times.map((t) => occurrenceJobId(scheduleId, t)).sort();

describe('planSchedule', () => {
  it('plans the window once: events, delayed jobs, cursor and next run', async () => {
    const now = base();
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, now), now });
    const outcome = await planSchedule(deps, schedule, now);
    // (not_before, now + 60 s]: now, +10 ... +60 s
    expect(outcome).toEqual({ planned: 7, completed: false });
    const events = await h.models.events.find({ schedule_id: schedule._id }).sort({ occurrence_at: 1 }).lean();
    const times = events.map((e) => e.occurrence_at);
    expect(times.map((t) => t.getTime() - now.getTime())).toEqual([0, 10, 20, 30, 40, 50, 60].map((s) => s * 1000));
    expect(events.every((e) => e.status === 'scheduled' && e.kind === 'rule' && e.schedule_version === 1)).toBe(true);
    expect(events[0]?.history).toEqual([{ time: now, status: 'scheduled', message: 'planned' }]);
    const id = schedule._id.toHexString();
    expect(await jobIds(h.queues, 'ready')).toEqual(expect.arrayContaining(idsOf(id, times)));
    const job = await h.queues.queue('ready_queue').getJob(occurrenceJobId(id, times[3] as Date));
    expect(job?.data).toEqual({
      tenant_id: 'tenant-a',
      event_id: events[3]?._id.toHexString(),
      schedule_id: id,
      schedule_version: 1,
      occurrence_at: times[3]?.toISOString(),
    });
    expect(job?.opts.delay).toBe(30_000 - 2000);
    const after = await reload(h.models, schedule);
    expect(after.next_run_at?.getTime()).toBe(now.getTime() + 70_000);
    expect(after.cursor?.last_at).toBe(times[6]?.toISOString());

    // Re-running with the stale read, or the fresh one, plans nothing more.
    expect((await planSchedule(deps, schedule, now)).planned).toBe(0);
    expect((await planSchedule(deps, after, now)).planned).toBe(0);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(7);
  });

  it('three planners at once create each event and job exactly once', async () => {
    const now = base();
    const schedule = await insertSchedule(h.models, { rule: everySeconds(5, now), now });
    const outcomes = await Promise.all([1, 2, 3].map(() => planSchedule(deps, schedule, now)));
    expect(outcomes.reduce((n, o) => n + o.planned, 0)).toBe(13);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(13);
    const id = schedule._id.toHexString();
    expect((await jobIds(h.queues, 'ready')).filter((j) => j.startsWith(id))).toHaveLength(13);
  });

  it('never plans at or before not_before', async () => {
    const now = base();
    const schedule = await insertSchedule(h.models, {
      rule: everySeconds(10, new Date(now.getTime() - 3600_000)),
      now,
      notBefore: new Date(now.getTime() + 25_000),
    });
    await planSchedule(deps, schedule, now);
    const events = await h.models.events.find({ schedule_id: schedule._id }).lean();
    expect(events.map((e) => e.occurrence_at.getTime() - now.getTime()).sort((a, b) => a - b)).toEqual([
      30_000, 40_000, 50_000, 60_000,
    ]);
    expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })).toBe(0);
  });

  it('marks a used-up rule completed once its last occurrence is past', async () => {
    const now = base();
    const start = new Date(now.getTime() + 10_000);
    const rule = `${everySeconds(10, start)};COUNT=3`;
    const schedule = await insertSchedule(h.models, { rule, now });
    expect(await planSchedule(deps, schedule, now)).toEqual({ planned: 3, completed: false });
    const waiting = await reload(h.models, schedule);
    expect(waiting.status).toBe('active');
    // Due again (window-early) once the last occurrence (start + 20 s) is reached.
    expect(waiting.next_run_at?.getTime()).toBe(start.getTime() + 20_000 + MINUTE);
    const later = new Date(start.getTime() + 21_000);
    expect(await planSchedule(deps, waiting, later)).toEqual({ planned: 0, completed: true });
    const done = await reload(h.models, schedule);
    expect(done.status).toBe('completed');
    expect(done.next_run_at).toBeNull();
  });

  it('does not re-create an event a lagging planner reads after it was delivered and archived', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const schedule = await insertSchedule(h.models, { rule: everySeconds(1, now), now });
    const stale = { ...schedule };
    await planSchedule(deps, schedule, now);
    const first = await h.models.events.findOne({ schedule_id: schedule._id, occurrence_at: now }).lean();
    if (!first) throw new Error('not planned');
    // Delivered and archived, its job done and gone.
    const { archiveEvents } = await import('@event-scheduler/models');
    await archiveEvents(h.models, [{ event: first, status: 'succeeded' }], new Date());
    const jobId = occurrenceJobId(schedule._id.toHexString(), now);
    await h.queues.queue('ready_queue').remove(jobId);
    // A planner that read the schedule before the cursor moved plans again.
    await planSchedules(deps, [stale], now);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id, occurrence_at: now })).toBe(0);
    expect(await h.queues.queue('ready_queue').getJob(jobId)).toBeUndefined();
    expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })).toBe(1);
  });

  it('writes nothing for a schedule whose next run lies beyond the window (created for later)', async () => {
    const now = base();
    const later = new Date(now.getTime() + 2 * MINUTE);
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, later), now });
    expect(schedule.next_run_at?.getTime()).toBe(later.getTime());
    expect(await planSchedule(deps, schedule, now)).toEqual({ planned: 0, completed: false });
    const stored = await reload(h.models, schedule);
    expect(stored.cursor).toBeNull();
    expect(stored.updated_at.getTime()).toBe(schedule.updated_at.getTime());
    // Once it comes inside the window, planning works from the untouched record as usual.
    const outcome = await planSchedule(deps, stored, new Date(later.getTime() - MINUTE + 15_000));
    expect(outcome.planned).toBeGreaterThan(0);
    expect((await reload(h.models, schedule)).cursor).not.toBeNull();
  });

  it('plans nothing for a paused or deleted schedule', async () => {
    const now = base();
    const paused = await insertSchedule(h.models, { rule: everySeconds(10, now), now });
    expect(await planSchedule(deps, { ...paused, status: 'paused' }, now)).toEqual({ planned: 0, completed: false });
    expect(await planSchedule(deps, { ...paused, deleted_at: now }, now)).toEqual({ planned: 0, completed: false });
    expect(await h.models.events.countDocuments({ schedule_id: paused._id })).toBe(0);
  });
});

describe('misfire policy at planning time', () => {
  // The prequeuer was down: the cursor is 30 s behind, grace is 5 s.
  async function afterDowntime(misfire: 'fire_once' | 'fire_all' | 'skip') {
    const now = base();
    const down = new Date(now.getTime() - 30_000);
    const schedule = await insertSchedule(h.models, {
      rule: everySeconds(5, down),
      now: down,
      misfire,
      graceSeconds: 5,
      notBefore: new Date(down.getTime() - 1),
    });
    await planSchedule(deps, schedule, now);
    const live = await h.models.events.find({ schedule_id: schedule._id }).lean();
    const skipped = await h.models.archivedEvents.find({ schedule_id: schedule._id }).lean();
    const rel = (d: Date) => (d.getTime() - now.getTime()) / 1000;
    return {
      fired: live.map((e) => rel(e.occurrence_at)).sort((a, b) => a - b),
      skipped: skipped.map((e) => [rel(e.occurrence_at), e.status]).sort((a, b) => Number(a[0]) - Number(b[0])),
    };
  }

  it('fire_once: the latest missed fires, the rest are skipped', async () => {
    const { fired, skipped } = await afterDowntime('fire_once');
    // Missed: -30 .. -10 (older than 5 s); -5 is within grace and fires normally.
    expect(fired.filter((s) => s < 0)).toEqual([-10, -5]);
    expect(skipped).toEqual([-30, -25, -20, -15].map((s) => [s, 'skipped']));
  });

  it('fire_all: every missed occurrence fires', async () => {
    const { fired, skipped } = await afterDowntime('fire_all');
    expect(fired.filter((s) => s < 0)).toEqual([-30, -25, -20, -15, -10, -5]);
    expect(skipped).toEqual([]);
  });

  it('skip: every missed occurrence is recorded as skipped', async () => {
    const { fired, skipped } = await afterDowntime('skip');
    expect(fired.filter((s) => s < 0)).toEqual([-5]);
    expect(skipped).toEqual([-30, -25, -20, -15, -10].map((s) => [s, 'skipped']));
  });
});

describe('cancelPlannedEvents', () => {
  it('cancels events of older versions and removes their jobs; pausing cancels all', async () => {
    const now = base();
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, now), now });
    await planSchedule(deps, schedule, now);
    const id = schedule._id.toHexString();
    const v1Jobs = (await jobIds(h.queues, 'ready')).filter((j) => j.startsWith(id));
    expect(v1Jobs).toHaveLength(7);
    // The API bumps the version (rule change) and resets the cursor, then cancels and re-plans.
    await h.models.schedules.updateOne(
      { _id: schedule._id },
      { $set: { version: 2, cursor: null, rrule: everySeconds(15, now), not_before: now } },
    );
    const v2 = await reload(h.models, schedule);
    expect(await cancelPlannedEvents(deps, v2, 'schedule updated', now)).toBe(7);
    expect((await jobIds(h.queues, 'ready')).filter((j) => j.startsWith(id))).toEqual([]);
    const cancelled = await h.models.archivedEvents.find({ schedule_id: schedule._id }).lean();
    expect(cancelled.map((e) => e.status)).toEqual(Array(7).fill('cancelled'));
    expect(cancelled[0]?.history.at(-1)?.message).toBe('schedule updated');
    expect((await planSchedule(deps, v2, now)).planned).toBe(4);
    // Pause: every live event goes, whatever its version.
    await h.models.schedules.updateOne({ _id: schedule._id }, { $set: { version: 3, status: 'paused' } });
    const paused = await reload(h.models, schedule);
    expect(await cancelPlannedEvents(deps, paused, 'schedule paused', now)).toBe(4);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(0);
    expect((await jobIds(h.queues, 'ready')).filter((j) => j.startsWith(id))).toEqual([]);
  });
});

describe('addExtraEvents', () => {
  it('adds a manual event, moving it 1 ms when an occurrence holds the same instant', async () => {
    const now = base();
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, now), now });
    await planSchedule(deps, schedule, now);
    const { eventIds } = await addExtraEvents(deps, schedule, [now], 'manual', { now });
    expect(eventIds).toHaveLength(1);
    const manual = await h.models.events.findById(eventIds[0]).lean();
    expect(manual?.kind).toBe('manual');
    expect(manual?.occurrence_at.getTime()).toBe(now.getTime() + 1);
    const job = await h.queues
      .queue('ready_queue')
      .getJob(occurrenceJobId(schedule._id.toHexString(), new Date(now.getTime() + 1)));
    expect(job?.data.event_id).toBe(eventIds[0]);
  });

  it('adds backfill events paced apart', async () => {
    const now = base();
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, now), now, nextRunAt: null });
    const past = [30, 20, 10].map((s) => new Date(now.getTime() - s * 1000));
    const { eventIds } = await addExtraEvents(deps, schedule, past, 'backfill', { now, paceMs: 100 });
    expect(eventIds).toHaveLength(3);
    const delays = await Promise.all(
      past.map(
        async (t) =>
          (await h.queues.queue('ready_queue').getJob(occurrenceJobId(schedule._id.toHexString(), t)))?.opts.delay ?? 0,
      ),
    );
    expect(delays).toEqual([0, 100, 200]);
  });
});

describe('planningTick', () => {
  it('reads only the schedules due inside the window', async () => {
    const now = base();
    const far = new Date(now.getTime() + 3600_000);
    const due = await Promise.all([1, 2, 3].map(() => insertSchedule(h.models, { rule: everySeconds(30, now), now })));
    await Promise.all([1, 2, 3, 4, 5].map(() => insertSchedule(h.models, { rule: everySeconds(30, far), now })));
    const outcome = await planningTick({ ...deps, clock: () => now, batchSize: 2 });
    // Earlier tests left schedules whose next run is inside the window too; these three are among them.
    expect(outcome.planned).toBeGreaterThanOrEqual(6);
    for (const s of due) expect(await h.models.events.countDocuments({ schedule_id: s._id })).toBe(3);
    const again = await planningTick({ ...deps, clock: () => now, batchSize: 2 });
    expect(again).toMatchObject({ schedules: 0, planned: 0 });
  });
});
