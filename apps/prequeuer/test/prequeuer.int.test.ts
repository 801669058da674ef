import { archivedEvent, encodeOccurrence, type Occurrence, plannedEvent, sendOf } from '@event-scheduler/engine';
import { findPlan, insertOutcomes, insertPlannedEvents } from '@event-scheduler/models';
import { metricSum, type ReadyService } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  allSends,
  everySeconds,
  type Harness,
  insertSchedule,
  openHarness,
  startPrequeuer,
  until,
} from './fixtures.js';

jest.setTimeout(60_000);

let h: Harness;
const running: ReadyService[] = [];
const ports = () => running.map((s) => s.healthPort);

beforeAll(async () => {
  h = await openHarness('prequeuer');
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await h.close();
});

describe('prequeuer service', () => {
  it('plans due schedules on its tick, twice over with two prequeuers, each occurrence once', async () => {
    running.push(...(await Promise.all([startPrequeuer(h), startPrequeuer(h)])));
    const now = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000);
    const due = await insertSchedule(h, everySeconds(10, now));
    const later = await insertSchedule(h, everySeconds(10, new Date(now.getTime() + 3600_000)));
    // Neither has a plan: the API plans a new schedule's window at once but leaves starting its
    // plan to the prequeuer. The first tick plans (not_before, tick + 60 s]: at least six of these
    // occurrences (now is ~3 s ahead); the next pass comes when half the window is left.
    await until(
      async () => (await h.models.events.countDocuments({ schedule_id: due._id })) >= 6,
      20_000,
      'the due schedule planned',
    ).catch((error) => {
      for (const s of running) console.log(s.lines.slice(-20).join('\n'));
      throw error;
    });
    await new Promise((r) => setTimeout(r, 2500)); // a few more ticks of both prequeuers
    // Exactly the rule's occurrences up to the plan's cursor, each once, each with its send.
    const lastPlanned = Date.parse((await findPlan(h.models, due._id, 1))?.cursor?.last_at ?? '');
    expect(lastPlanned).toBeGreaterThanOrEqual(now.getTime() + 50_000);
    const expected = [];
    for (let at = now.getTime(); at <= lastPlanned; at += 10_000) expected.push(at);
    const events = await h.models.events.find({ schedule_id: due._id }).lean();
    expect(events.map((e) => e.occurrence_at.getTime()).sort((a, b) => a - b)).toEqual(expected);
    const sends = (await allSends(h)).filter((s) => s.scheduleId === due._id.toHexString());
    expect(sends.map(encodeOccurrence).sort()).toEqual(events.map((e) => encodeOccurrence(sendOf(e))).sort());
    expect(await h.models.events.countDocuments({ schedule_id: later._id })).toBe(0);
    // The later one has its plan too, untouched until its first run comes near.
    const laterPlan = await findPlan(h.models, later._id, 1);
    expect(laterPlan?.cursor).toBeNull();
    expect(laterPlan?.next_run_at?.getTime()).toBe(now.getTime() + 3600_000);
    // What the two prequeuers report: every event they created, and the ticks that did it.
    expect(await metricSum(ports(), 'planned_events_total')).toBe(await h.models.events.countDocuments({}));
    expect(await metricSum(ports(), 'planning_tick_duration_seconds_count')).toBeGreaterThanOrEqual(2);
  });

  it('re-adds sends lost from Redis (reconciliation)', async () => {
    const before = (await allSends(h)).map(encodeOccurrence);
    expect(before.length).toBeGreaterThan(0);
    await h.redis.del(h.engine.keys.timeline(0));
    await until(
      async () => {
        const now = new Set((await allSends(h)).map(encodeOccurrence));
        return before.every((m) => now.has(m));
      },
      15_000,
      'every lost send back',
    );
    expect(await metricSum(ports(), 'reconciled_sends_total')).toBeGreaterThanOrEqual(before.length);
  });

  it('purges archived events past their retention, and live copies of finished events only', async () => {
    const schedule = await insertSchedule(h, everySeconds(10, new Date(Date.now() + 3600_000)));
    const old = new Date(Date.now() - 31 * 86_400_000);
    await h.models.archivedEvents.create({
      tenant_id: 'tenant-a',
      schedule_id: schedule._id,
      schedule_version: 1,
      occurrence_at: old,
      status: 'succeeded',
      archived_at: old,
    });
    // Two live events past the live retention (1 minute): one finished (its outcome archived), one
    // still waiting for its send.
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    const [finished, waiting] = await insertPlannedEvents(h.models, [
      plannedEvent(schedule, twoMinutesAgo, 'manual', twoMinutesAgo, 'triggered manually'),
      plannedEvent(schedule, new Date(twoMinutesAgo.getTime() + 1), 'manual', twoMinutesAgo, 'triggered manually'),
    ]);
    if (!finished || !waiting) throw new Error('not inserted');
    await insertOutcomes(h.models, [
      archivedEvent(finished, { status: 'cancelled', message: 'test', now: new Date() }),
    ]);
    await until(
      async () =>
        (await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id, archived_at: old })) === 0 &&
        (await h.models.events.countDocuments({ _id: finished._id })) === 0,
      15_000,
      'purged',
    );
    expect(await h.models.events.countDocuments({ _id: waiting._id })).toBe(1);
    expect(await h.models.archivedEvents.countDocuments({ _id: finished._id })).toBe(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    const codes = await Promise.all(running.splice(0).map((s) => s.stop('SIGTERM')));
    expect(codes).toEqual([0, 0]);
  });

  it('notices that Redis lost its data within seconds (epoch) and rebuilds the plan, not waiting for the periodic reconcile', async () => {
    // The periodic reconcile runs once at start, then not for an hour.
    const service = await startPrequeuer(h, { PREQUEUER_RECONCILE_INTERVAL_SECONDS: '3600', LOG_LEVEL: 'debug' });
    running.push(service);
    await service.waitForLine(/"msg":"reconciled"/);
    // The plan is which event goes at which instant; a send due around the loss comes back as
    // the next attempt (a worker may have fired it), the others exactly as they were.
    const sendKey = (o: Occurrence) => `${o.eventId}|${o.dueAt}`;
    const beforeSends = await allSends(h);
    const before = beforeSends.map(sendKey);
    expect(before.length).toBeGreaterThan(0);
    const wipedAt = Date.now();
    await h.wipeRedis();
    await until(
      async () => {
        const now = new Set((await allSends(h)).map(sendKey));
        return before.every((m) => now.has(m));
      },
      15_000,
      'the plan rebuilt',
    );
    const after = new Map((await allSends(h)).map((o) => [o.eventId, o]));
    for (const o of beforeSends) {
      const back = after.get(o.eventId)?.attempt;
      // Due by the wipe (and within the minute before it): held and maybe fired, so attempt + 1.
      if (o.dueAt <= wipedAt && o.dueAt >= wipedAt - 60_000) expect(back).toBe(o.attempt + 1);
      // Due well after the loss was noticed (within seconds): untouched.
      if (o.dueAt > wipedAt + 15_000) expect(back).toBe(o.attempt);
    }
    const reconciled = () => service.lines.filter((l) => l.includes('"msg":"reconciled"'));
    // Its log line comes right after the sends are back: wait for it, then count.
    await until(async () => reconciled().length >= 2, 5_000, 'the rebuild logged');
    expect(await metricSum(ports(), 'redis_data_lost_total')).toBe(1);
    expect(reconciled()).toHaveLength(2);
  });
});
