import {
  deleteLiveEvents,
  type EventRecord,
  findPlan,
  findWaitingEventsOfSchedule,
  insertOutcomes,
  type ScheduleRecord,
} from '@event-scheduler/models';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addExtraEvents,
  archivedEvent,
  cancelPlan,
  encodeOccurrence,
  planNow,
  planningTick,
  planSchedules,
  sendOf,
  startPlanOf,
} from '../src/index.js';
import {
  changeSchedule,
  everySeconds,
  type Harness,
  insertSchedule,
  openHarness,
  planOf,
  planOne,
  reload,
  sendsOf,
} from './fixtures.js';

let h: Harness;
const MINUTE = 60_000;

beforeAll(async () => {
  h = await openHarness('planning', { windowMs: MINUTE, leadMs: 2000 });
});

afterAll(async () => {
  await h.close();
});

/** A whole second a little in the future, so tests start on a clean boundary. */
const base = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
const eventsOf = (schedule: Pick<ScheduleRecord, '_id'>) =>
  h.models.events.find({ schedule_id: schedule._id }).sort({ occurrence_at: 1 }).lean<EventRecord[]>();

describe('planSchedules', () => {
  it('plans the window once: events, sends on the timeline, snapshot, cursor and next run', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now });
    const stale = await planOf(h, schedule);
    // (not_before, now + 60 s]: now, +10 ... +60 s
    expect(await planOne(h, schedule, now)).toEqual({ planned: 7, completed: false, advanced: true });
    const events = await eventsOf(schedule);
    const times = events.map((e) => e.occurrence_at);
    expect(times.map((t) => t.getTime() - now.getTime())).toEqual([0, 10, 20, 30, 40, 50, 60].map((s) => s * 1000));
    expect(events.every((e) => e.status === 'scheduled' && e.kind === 'rule' && e.schedule_version === 1)).toBe(true);
    expect(events[0]?.history).toEqual([{ time: now, status: 'scheduled', message: 'planned' }]);
    // Each event has its send on the timeline, scored by its due instant (the dispatcher takes it a lead earlier).
    const id = schedule._id.toHexString();
    const sends = await sendsOf(h, schedule);
    expect(sends).toEqual(events.map(sendOf));
    expect(sends[3]).toEqual({
      dueAt: times[3]?.getTime(),
      eventId: events[3]?._id.toHexString(),
      scheduleId: id,
      version: 1,
      occurrenceAt: times[3]?.getTime(),
      kind: 'rule',
      attempt: 1,
      round: 0,
      roundStart: 0,
      plannedAt: now.getTime(),
    });
    const member = encodeOccurrence(sends[3]!);
    expect(Number(await h.redis.zscore(h.engine.keys.timeline(0), member))).toBe(now.getTime() + 30_000);
    expect((await h.engine.snapshots.get([id])).get(id)).toMatchObject({
      v: 1,
      status: 'active',
      tenant_id: 'tenant-a',
    });
    const plan = await findPlan(h.models, schedule._id, 1);
    expect(plan?.next_run_at?.getTime()).toBe(now.getTime() + 70_000);
    expect(plan?.cursor?.last_at).toBe(times[6]?.toISOString());

    // Re-running with the stale plan, or the fresh one, plans nothing more.
    expect((await planOne(h, schedule, now, stale)).planned).toBe(0);
    expect((await planOne(h, schedule, now)).planned).toBe(0);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(7);
    expect(await sendsOf(h, schedule)).toHaveLength(7);
  });

  it("a new schedule's first planning (the API's) starts its plan where that planning ended, so the ticks go on without a gap", async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now, plan: false });
    expect(await findPlan(h.models, schedule._id, 1)).toBeNull();
    await planNow(h.engine, schedule, now, { first: true });
    const plan = await findPlan(h.models, schedule._id, 1);
    expect(plan?.cursor?.last_at).toBe(new Date(now.getTime() + 60_000).toISOString());
    expect(plan?.next_run_at?.getTime()).toBe(now.getTime() + 70_000);
    // A tick a window later plans from there: the next occurrences, none twice.
    const later = new Date(now.getTime() + 30_000);
    expect((await planOne(h, schedule, later)).planned).toBe(3);
    expect((await eventsOf(schedule)).map((e) => (e.occurrence_at.getTime() - now.getTime()) / 1000)).toEqual([
      0, 10, 20, 30, 40, 50, 60, 70, 80, 90,
    ]);
  });

  it('three planners at once create each event and send exactly once', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(5, now), now });
    const plan = await planOf(h, schedule);
    const outcomes = await Promise.all([1, 2, 3].map(() => planOne(h, schedule, now, plan)));
    expect(outcomes.reduce((n, o) => n + o.planned, 0)).toBe(13);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(13);
    const sends = await sendsOf(h, schedule);
    expect(sends).toHaveLength(13);
    expect(new Set(sends.map((s) => s.eventId)).size).toBe(13);
  });

  it('never plans at or before not_before', async () => {
    const now = base();
    const schedule = await insertSchedule(h, {
      rule: everySeconds(10, new Date(now.getTime() - 3600_000)),
      now,
      notBefore: new Date(now.getTime() + 25_000),
    });
    await planOne(h, schedule, now);
    const events = await eventsOf(schedule);
    expect(events.map((e) => e.occurrence_at.getTime() - now.getTime())).toEqual([30_000, 40_000, 50_000, 60_000]);
    expect((await sendsOf(h, schedule)).map((s) => s.occurrenceAt - now.getTime())).toEqual([
      30_000, 40_000, 50_000, 60_000,
    ]);
    expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })).toBe(0);
  });

  it('marks a used-up rule completed once its last occurrence is past', async () => {
    const now = base();
    const start = new Date(now.getTime() + 10_000);
    const schedule = await insertSchedule(h, { rule: `${everySeconds(10, start)};COUNT=3`, now });
    expect(await planOne(h, schedule, now)).toEqual({ planned: 3, completed: false, advanced: true });
    expect((await reload(h.models, schedule)).status).toBe('active');
    // Due again once the last occurrence (start + 20 s) is reached: the tick reads half a window ahead.
    const due = (await findPlan(h.models, schedule._id, 1))?.next_run_at;
    expect(due?.getTime()).toBe(start.getTime() + 20_000 + MINUTE / 2);
    const later = new Date(start.getTime() + 21_000);
    expect(await planOne(h, schedule, later)).toEqual({ planned: 0, completed: true, advanced: true });
    expect((await reload(h.models, schedule)).status).toBe('completed');
    expect((await findPlan(h.models, schedule._id, 1))?.next_run_at).toBeNull();
  });

  it('does not re-create an event a lagging planner reads after it was delivered and archived', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const schedule = await insertSchedule(h, { rule: everySeconds(1, now), now });
    const stale = await planOf(h, schedule);
    await planOne(h, schedule, now);
    const first = await h.models.events.findOne({ schedule_id: schedule._id, occurrence_at: now }).lean();
    if (!first) throw new Error('not planned');
    // Delivered: its outcome archived, its send finished.
    const at = new Date();
    const steps = [
      { time: at, status: 'dispatched' as const, message: 'released to a worker' },
      { time: at, status: 'delivering' as const, message: 'attempt 1' },
    ];
    await insertOutcomes(h.models, [archivedEvent(first, { status: 'succeeded', message: null, steps, now: at })]);
    await h.engine.timeline.remove([sendOf(first)]);
    const gone = async () => {
      expect(await h.engine.timeline.locate([sendOf(first)])).toEqual([{ at: 'nowhere' }]);
      expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })).toBe(1);
    };
    // A planner that read the plan before its cursor moved plans again: while the live copy is
    // there, and once the purge has deleted it.
    await planSchedules(h.engine, [{ schedule, plan: stale }], now);
    await gone();
    await deleteLiveEvents(h.models, [first._id]);
    await planSchedules(h.engine, [{ schedule, plan: stale }], now);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id, occurrence_at: now })).toBe(0);
    await gone();
  });

  it('writes nothing for a schedule whose next run lies beyond the window (created for later)', async () => {
    const now = base();
    const later = new Date(now.getTime() + 2 * MINUTE);
    const schedule = await insertSchedule(h, { rule: everySeconds(10, later), now });
    const started = await findPlan(h.models, schedule._id, 1);
    expect(started?.next_run_at?.getTime()).toBe(later.getTime());
    expect(await planOne(h, schedule, now)).toEqual({ planned: 0, completed: false, advanced: true });
    const stored = await findPlan(h.models, schedule._id, 1);
    expect(stored?.cursor).toBeNull();
    expect(stored?.updated_at.getTime()).toBe(started?.updated_at.getTime());
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(0);
    expect(await sendsOf(h, schedule)).toEqual([]);
    // Once it comes inside the window, planning works from the untouched plan as usual.
    const outcome = await planOne(h, schedule, new Date(later.getTime() - MINUTE + 15_000));
    expect(outcome.planned).toBeGreaterThan(0);
    expect((await findPlan(h.models, schedule._id, 1))?.cursor).not.toBeNull();
  });

  it('plans nothing for a paused or deleted schedule', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now });
    const none = { planned: 0, completed: false, advanced: false };
    expect(await planOne(h, { ...schedule, status: 'paused' }, now)).toEqual(none);
    expect(await planOne(h, { ...schedule, deleted_at: now }, now)).toEqual(none);
    expect(await h.models.events.countDocuments({ schedule_id: schedule._id })).toBe(0);
    expect(await sendsOf(h, schedule)).toEqual([]);
    expect((await findPlan(h.models, schedule._id, 1))?.cursor).toBeNull();
  });
});

describe('misfire policy at planning time', () => {
  // The prequeuer was down: the plan is 30 s behind, grace is 5 s.
  async function afterDowntime(misfire: 'fire_once' | 'fire_all' | 'skip') {
    const now = base();
    const down = new Date(now.getTime() - 30_000);
    const schedule = await insertSchedule(h, {
      rule: everySeconds(5, down),
      now: down,
      misfire,
      graceSeconds: 5,
      notBefore: new Date(down.getTime() - 1),
    });
    await planOne(h, schedule, now);
    const skipped = await h.models.archivedEvents.find({ schedule_id: schedule._id }).lean();
    const sends = await sendsOf(h, schedule);
    // Every live event either fires (its send is planned) or has its skip archived, never both.
    const live = await eventsOf(schedule);
    const skippedIds = new Set(skipped.map((e) => e._id.toHexString()));
    const firingIds = new Set(sends.map((s) => s.eventId));
    expect(live.every((e) => skippedIds.has(e._id.toHexString()) !== firingIds.has(e._id.toHexString()))).toBe(true);
    const rel = (ms: number) => (ms - now.getTime()) / 1000;
    return {
      fired: sends.map((s) => rel(s.occurrenceAt)).sort((a, b) => a - b),
      skipped: skipped
        .map((e) => [rel(e.occurrence_at.getTime()), e.status])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
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

describe('cancelPlan', () => {
  it('cancels events of older versions and removes their sends; pausing cancels all', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now });
    await planOne(h, schedule, now);
    expect(await sendsOf(h, schedule)).toHaveLength(7);
    // The API stores a rule change under version 2, then cancels what no longer applies and plans it.
    const v2 = await h.models.schedules
      .findOneAndUpdate(
        { _id: schedule._id },
        { $set: { version: 2, rrule: everySeconds(15, now), not_before: now } },
        { returnDocument: 'after' },
      )
      .lean();
    if (!v2) throw new Error('vanished');
    expect(await cancelPlan(h.engine, v2, 'schedule updated', now)).toBe(7);
    expect(await sendsOf(h, schedule)).toEqual([]);
    const cancelled = await h.models.archivedEvents.find({ schedule_id: schedule._id }).lean();
    expect(cancelled.map((e) => e.status)).toEqual(Array(7).fill('cancelled'));
    expect(cancelled[0]?.history.at(-1)?.message).toBe('schedule updated');
    await startPlanOf(h.engine, v2, now);
    expect((await planOne(h, v2, now)).planned).toBe(4);
    expect((await sendsOf(h, schedule)).every((s) => s.version === 2)).toBe(true);
    // Pause: everything waiting goes, whatever its version.
    const paused = await h.models.schedules
      .findOneAndUpdate({ _id: schedule._id }, { $set: { version: 3, status: 'paused' } }, { returnDocument: 'after' })
      .lean();
    if (!paused) throw new Error('vanished');
    expect(await cancelPlan(h.engine, paused, 'schedule paused', now)).toBe(4);
    expect(await findWaitingEventsOfSchedule(h.models, schedule)).toEqual([]);
    expect(await sendsOf(h, schedule)).toEqual([]);
    expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id, status: 'cancelled' })).toBe(11);
  });
});

describe('addExtraEvents', () => {
  it('adds a manual event beside a rule occurrence, and moves a second manual trigger on the same ms by 1 ms', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now });
    await planOne(h, schedule, now);
    const first = await addExtraEvents(h.engine, schedule, [now], 'manual', { now });
    const second = await addExtraEvents(h.engine, schedule, [now], 'manual', { now });
    const manual = await h.models.events.find({ _id: { $in: [...first.eventIds, ...second.eventIds] } }).lean();
    expect(manual.map((e) => [e.kind, e.occurrence_at.getTime() - now.getTime()]).sort()).toEqual([
      ['manual', 0],
      ['manual', 1],
    ]);
    // Ids include the kind: the rule occurrence at the same instant keeps its own event and send.
    const atNow = (await sendsOf(h, schedule)).filter((s) => s.occurrenceAt === now.getTime());
    expect(atNow.map((s) => s.kind).sort()).toEqual(['manual', 'rule']);
    const moved = manual.find((e) => e._id.toHexString() === second.eventIds[0]);
    if (!moved) throw new Error('second manual event missing');
    expect(await h.engine.timeline.locate([sendOf(moved)])).toEqual([{ at: 'timeline' }]);
    expect(sendOf(moved).dueAt).toBe(now.getTime() + 1);
  });

  it('adds backfill events paced apart, each instant once', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now, plan: false });
    const past = [30, 20, 10].map((s) => new Date(now.getTime() - s * 1000));
    const { eventIds } = await addExtraEvents(h.engine, schedule, past, 'backfill', { now, paceMs: 100 });
    expect(eventIds).toHaveLength(3);
    const sends = await sendsOf(h, schedule);
    expect(sends.map((s) => [s.kind, s.occurrenceAt - now.getTime(), s.dueAt - now.getTime()])).toEqual([
      ['backfill', -30_000, 0],
      ['backfill', -20_000, 100],
      ['backfill', -10_000, 200],
    ]);
    expect((await addExtraEvents(h.engine, schedule, past, 'backfill', { now, paceMs: 100 })).eventIds).toEqual([]);
    expect(await sendsOf(h, schedule)).toHaveLength(3);
  });
});

describe('planningTick', () => {
  it('reads only the plans due inside the window, and drops the plans of paused schedules', async () => {
    const now = base();
    const far = new Date(now.getTime() + 3600_000);
    const due = await Promise.all([1, 2, 3].map(() => insertSchedule(h, { rule: everySeconds(30, now), now })));
    const later = await Promise.all([1, 2, 3, 4, 5].map(() => insertSchedule(h, { rule: everySeconds(30, far), now })));
    const farPlans = await Promise.all(later.map((s) => findPlan(h.models, s._id, 1)));
    const paused = await insertSchedule(h, { rule: everySeconds(30, now), now });
    // Its plan of version 1 is stale once the pause is stored: the tick drops it, planning nothing.
    await changeSchedule(h, paused, { status: 'paused' }, 'schedule paused', now);

    const outcome = await planningTick(h.engine, { clock: () => now, batchSize: 2 });
    // Earlier tests left plans whose next run is inside the window too; these three are among them.
    expect(outcome.planned).toBeGreaterThanOrEqual(6);
    expect(outcome.dropped).toBeGreaterThanOrEqual(1);
    for (const s of due) expect(await h.models.events.countDocuments({ schedule_id: s._id })).toBe(3);
    for (const [i, s] of later.entries()) {
      expect(await h.models.events.countDocuments({ schedule_id: s._id })).toBe(0);
      expect(await findPlan(h.models, s._id, 1)).toEqual(farPlans[i]);
    }
    expect(await h.models.events.countDocuments({ schedule_id: paused._id })).toBe(0);
    expect(await findPlan(h.models, paused._id, 1)).toBeNull();
    const again = await planningTick(h.engine, { clock: () => now, batchSize: 2 });
    expect(again).toMatchObject({ schedules: 0, planned: 0, dropped: 0 });
  });
});
