import { addExtraEvents, plannedEvent, sendOf, snapshotOf } from '@event-scheduler/engine';
import { insertPlannedEvents } from '@event-scheduler/models';
import { metricSum, type ReadyService } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  batches,
  everySeconds,
  type Harness,
  handedOf,
  insertSchedule,
  openHarness,
  planNow,
  startDispatcher,
  until,
} from './fixtures.js';

jest.setTimeout(90_000);

const LEAD_MS = 1000;
let h: Harness;
const running: ReadyService[] = [];

async function dispatcher(extra: Record<string, string> = {}) {
  const service = await startDispatcher(h, { DISPATCHER_LEAD_MS: String(LEAD_MS), ...extra });
  running.push(service);
  return service;
}

const nextSecond = (aheadMs: number) => new Date(Math.ceil((Date.now() + aheadMs) / 1000) * 1000);

beforeAll(async () => {
  h = await openHarness('dispatcher', { leadMs: LEAD_MS });
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await h.close();
});

describe('dispatcher service', () => {
  it('hands each send to a worker batch a lead before it is due, once, with two dispatchers', async () => {
    await Promise.all([dispatcher(), dispatcher()]);
    const start = nextSecond(3000);
    const schedule = await insertSchedule(h, { rule: `${everySeconds(1, start)};COUNT=5` });
    expect(await planNow(h, schedule)).toBe(5);
    await until(async () => (await handedOf(h, schedule)).length >= 5, 20_000, 'five sends handed over');
    const events = await h.models.events.find({ schedule_id: schedule._id }).sort({ occurrence_at: 1 }).lean();
    const handed = (await handedOf(h, schedule)).sort((a, b) => a.dueAt - b.dueAt);
    expect(handed).toEqual(events.map(sendOf));
    const mine = (await batches(h)).filter((b) => b.sends.some((s) => s.scheduleId === schedule._id.toHexString()));
    for (const batch of mine) {
      // One batch per due second, taken no earlier than the lead before it (the worker holds it until due).
      expect(new Set(batch.sends.map((s) => Math.floor(s.dueAt / 1000))).size).toBe(1);
      for (const send of batch.sends) expect(batch.takenAt).toBeGreaterThanOrEqual(send.dueAt - LEAD_MS);
    }
    const where = await h.engine.timeline.locate(handed);
    expect(where.map((w) => w.at)).toEqual(Array(5).fill('held'));
    // The dispatcher writes nothing to the events: their outcome is the worker's.
    expect(events.map((e) => e.history.map((x) => x.status))).toEqual(Array(5).fill(['scheduled']));
    expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })).toBe(0);
    // Both dispatchers' /metrics: five dispatched in all, each with its hand-off lead; schedules
    // were read from their snapshots in Redis, never from the database.
    const metric = (prefix: string) =>
      metricSum(
        running.map((s) => s.healthPort),
        prefix,
      );
    expect(await metric('dispatch_sends_total{outcome="dispatched"')).toBe(5);
    expect(await metric('dispatch_handoff_lead_seconds_count')).toBe(5);
    expect(await metric('dispatch_batches_total')).toBe(mine.length);
    expect(await metric('db_commands_total{command="ping"')).toBeGreaterThanOrEqual(2);
    expect(await metric('db_commands_total{command="find"')).toBe(0);
  });

  it('drops sends of a paused schedule, or of an older version, but not a manual trigger', async () => {
    const start = nextSecond(4000);
    const changed = await insertSchedule(h, { rule: `${everySeconds(1, start)};COUNT=2` });
    const paused = await insertSchedule(h, { rule: `${everySeconds(1, start)};COUNT=2` });
    await planNow(h, changed);
    await planNow(h, paused);
    // A manual trigger planned under version 1 still goes (it is not tied to the rule).
    const { eventIds } = await addExtraEvents(h.engine, changed, [new Date(start.getTime() + 500)], 'manual', {
      now: new Date(),
    });
    // Changes stored but never cancelled (the API died before): the dispatcher's verdict is the
    // second guard. One was announced (its snapshot is v2); the other's snapshot was lost with
    // Redis, so the dispatcher reads the schedule from the database.
    const v2 = await h.models.schedules
      .findOneAndUpdate({ _id: changed._id }, { $set: { version: 2 } }, { returnDocument: 'after' })
      .lean();
    if (!v2) throw new Error('vanished');
    await h.engine.snapshots.announce(changed._id.toHexString(), snapshotOf(v2));
    await h.models.schedules.updateOne({ _id: paused._id }, { $set: { version: 2, status: 'paused' } });
    await h.redis.del(h.engine.keys.snapshot(paused._id.toHexString()));

    const ids = [changed._id, paused._id];
    await until(
      async () => (await h.models.archivedEvents.countDocuments({ schedule_id: { $in: ids } })) === 4,
      20_000,
      'four sends archived',
    );
    const archived = await h.models.archivedEvents.find({ schedule_id: { $in: ids } }).lean();
    expect(archived.map((e) => `${e.kind} ${e.status}: ${e.history.at(-1)?.message}`).sort()).toEqual([
      'rule cancelled: schedule changed (planned under version 1, now 2)',
      'rule cancelled: schedule changed (planned under version 1, now 2)',
      'rule cancelled: schedule paused',
      'rule cancelled: schedule paused',
    ]);
    await until(async () => (await handedOf(h, changed)).length > 0, 20_000, 'the manual trigger handed over');
    expect((await handedOf(h, changed)).map((s) => [s.eventId, s.kind])).toEqual([[eventIds[0], 'manual']]);
    expect(await handedOf(h, paused)).toEqual([]);
  });

  it('applies the misfire policy to sends that arrive after their grace', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const past = [45, 40, 35, 30, 25, 20, 15].map((s) => new Date(now.getTime() - s * 1000));
    const outcome: Record<string, { fired: number[]; skipped: number[] }> = {};
    for (const misfire of ['skip', 'fire_once', 'fire_all'] as const) {
      const schedule = await insertSchedule(h, {
        rule: everySeconds(5, past[0] as Date),
        misfire,
        graceSeconds: 12,
        notBefore: new Date(now.getTime() - 3600_000),
      });
      // Sends that waited through a dispatcher outage (or were re-added by reconciliation after
      // Redis lost them): all late by more than the grace.
      const events = await insertPlannedEvents(
        h.models,
        past.map((at) => plannedEvent(schedule, at, 'rule', now, 'planned')),
      );
      await h.engine.timeline.add(events.map(sendOf));
      // Every send decided: handed to a worker or archived as skipped.
      const skippedOf = () => h.models.archivedEvents.find({ schedule_id: schedule._id, status: 'skipped' }).lean();
      await until(
        async () => (await handedOf(h, schedule)).length + (await skippedOf()).length === past.length,
        20_000,
        `${misfire}: every send decided`,
      );
      const rel = (ms: number) => Math.round((ms - now.getTime()) / 1000);
      outcome[misfire] = {
        fired: (await handedOf(h, schedule)).map((s) => rel(s.occurrenceAt)).sort((a, b) => a - b),
        skipped: (await skippedOf()).map((e) => rel(e.occurrence_at.getTime())).sort((a, b) => a - b),
      };
    }
    expect(outcome.skip).toEqual({ fired: [], skipped: [-45, -40, -35, -30, -25, -20, -15] });
    // fire_once: -15 is the latest missed (the rule's next, -10, is within the 12 s grace).
    expect(outcome.fire_once).toEqual({ fired: [-15], skipped: [-45, -40, -35, -30, -25, -20] });
    expect(outcome.fire_all).toEqual({ fired: [-45, -40, -35, -30, -25, -20, -15], skipped: [] });
  });

  it('loses nothing when a dispatcher is killed (SIGKILL) while sends flow', async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    const victim = await dispatcher();
    const start = nextSecond(2000);
    const schedule = await insertSchedule(h, { rule: `${everySeconds(1, start)};COUNT=6` });
    await planNow(h, schedule);
    await until(async () => (await handedOf(h, schedule)).length >= 2, 20_000, 'sends handed before the kill');
    await victim.stop('SIGKILL');
    await dispatcher();
    await until(async () => (await handedOf(h, schedule)).length >= 6, 30_000, 'every send handed over');
    const handed = await handedOf(h, schedule);
    expect(handed).toHaveLength(6);
    expect(new Set(handed.map((s) => s.eventId)).size).toBe(6);
    expect((await h.engine.timeline.locate(handed)).map((w) => w.at)).toEqual(Array(6).fill('held'));
  });

  it('puts back what a dead dispatcher had taken once its lease runs out, and hands each send once', async () => {
    const start = nextSecond(1000);
    const schedule = await insertSchedule(h, { rule: `${everySeconds(1, start)};COUNT=3` });
    await planNow(h, schedule);
    // A dispatcher takes the three (leased for 1.5 s) and dies before handing them over.
    const taken = (await h.engine.timeline.take(0, start.getTime() + 10_000, 1500, 100)).filter(
      (s) => s.scheduleId === schedule._id.toHexString(),
    );
    expect(taken).toHaveLength(3);
    await until(async () => (await handedOf(h, schedule)).length >= 3, 30_000, 'the taken sends handed over');
    const handed = await handedOf(h, schedule);
    expect(handed.map((s) => s.eventId).sort()).toEqual(taken.map((s) => s.eventId).sort());
    expect(await h.redis.zcard(h.engine.keys.taking(0))).toBe(0);
    expect(await h.engine.timeline.planned(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
