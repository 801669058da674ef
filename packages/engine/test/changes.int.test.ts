import { findWaitingEventsOfSchedule, type ScheduleRecord, updateScheduleIfVersion } from '@event-scheduler/models';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  applyChange,
  CHANGE_SETTLE_MS,
  createRuntimeStore,
  fenceOf,
  type HeldSend,
  openBatch,
  planSchedules,
  recordFinal,
  sendOf,
  verdictOf,
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

jest.setTimeout(60_000);

const WINDOW_S = 20;

let h: Harness;

beforeAll(async () => {
  // A 20 s window keeps each change's re-planning small; the seconds right after a change are what matter.
  h = await openHarness('changes', { windowMs: WINDOW_S * 1000, leadMs: 2000 });
});

afterAll(async () => {
  await h.close();
});

/** The schedule's fence as dispatchers and workers read it (its snapshot in Redis). */
async function fence(schedule: Pick<ScheduleRecord, '_id'>) {
  const id = schedule._id.toHexString();
  const snapshot = (await h.engine.snapshots.get([id])).get(id);
  if (!snapshot) throw new Error('no snapshot');
  return { fence: fenceOf(snapshot), snapshot };
}

/** Occurrence instants that would fire: sends on the timeline the one rule lets through, as the schedule now stands. */
async function firing(schedule: Pick<ScheduleRecord, '_id'>): Promise<number[]> {
  const { fence: current } = await fence(schedule);
  return (await sendsOf(h, schedule)).filter((s) => verdictOf(s, current).fire).map((s) => s.occurrenceAt);
}

/** Whole seconds in (from, from + seconds]. */
function secondsAfter(from: number, seconds: number): number[] {
  const first = Math.floor(from / 1000) * 1000 + 1000;
  return Array.from({ length: seconds }, (_, i) => first + i * 1000);
}

/**
 * Checks the instants a change planned for an every-second rule: none before the new version
 * governs (at least CHANGE_SETTLE_MS after the change began at `at`: an instant before may still
 * fire under the old version, so planning it again could fire it twice), and every one from the
 * change's answer (`answeredAt`, which waits until the new version governs) to `until`.
 */
function expectPlannedFromChange(
  planned: number[],
  { at, answeredAt, until }: { at: number; answeredAt: number; until: number },
) {
  expect(planned.filter((t) => t <= at + CHANGE_SETTLE_MS)).toEqual([]);
  expect(planned).toEqual(expect.arrayContaining(secondsAfter(answeredAt, Math.floor((until - answeredAt) / 1000))));
  expect(new Set(planned).size).toBe(planned.length);
}

/** What a worker writes once it delivered a send: the outcome (archive insert) and the schedule's last run. */
async function delivered(held: HeldSend): Promise<void> {
  const now = new Date();
  const attempt = {
    number: held.attempt,
    started_at: now,
    duration_ms: 3,
    status_code: 200,
    error_kind: null,
    error_message: null,
    response_snippet: 'ok',
  };
  await recordFinal(h.engine, held, { status: 'succeeded', message: 'HTTP 200', attempt, now });
  await createRuntimeStore(h.redis, h.engine.keys).noteRuns(new Map([[held.send.scheduleId, held.send.occurrenceAt]]));
}

describe('an acknowledged pause (#15 defect 2)', () => {
  it('is not undone by the planner or a worker writing at the same moment, round after round', async () => {
    for (let round = 0; round < 10; round++) {
      const now = new Date();
      const schedule = await insertSchedule(h, { rule: everySeconds(1, new Date(now.getTime() - 2000)), now });
      await planOne(h, schedule, now);
      // What the planner and a worker read before the pause: the plan, and a batch opened.
      const plan = await planOf(h, schedule);
      const [first] = await sendsOf(h, schedule);
      if (!first) throw new Error('not planned');
      const [held] = await openBatch(h.engine, [first], { takenAt: now, lostRuns: 0 });
      if (!held) throw new Error('not opened');
      await Promise.all([
        planSchedules(h.engine, [{ schedule, plan }], new Date(now.getTime() + 2000)),
        delivered(held),
        changeSchedule(h, schedule, { status: 'paused', paused_reason: 'test', paused_at: now }, 'schedule paused'),
      ]);
      const stored = await reload(h.models, schedule);
      expect([round, stored.status, stored.version]).toEqual([round, 'paused', 2]);
      expect((await fence(schedule)).fence).toEqual({ version: 2, status: 'paused' });
      // Nothing planned fires after the pause: the planner may have added sends of version 1
      // meanwhile, and the one rule cancels every one of them.
      const { fence: current } = await fence(schedule);
      const waiting = await findWaitingEventsOfSchedule(h.models, schedule);
      expect(waiting.filter((e) => verdictOf(sendOf(e), current).fire)).toEqual([]);
      expect(await firing(schedule)).toEqual([]);
    }
  });

  it('a resume of a schedule that reads active still plans it (it does not trust a status it did not set)', async () => {
    const now = new Date();
    const schedule = await insertSchedule(h, { rule: everySeconds(1, now), now });
    await planOne(h, schedule, now);
    const paused = await changeSchedule(h, schedule, { status: 'paused' }, 'schedule paused');
    expect(await firing(schedule)).toEqual([]);
    // A resume was stored, but its planning never happened (the API died, or Redis was away):
    // the schedule reads active, and nothing of its version is planned.
    const resumedAt = new Date();
    const resumed = await updateScheduleIfVersion(h.models, paused.tenant_id, paused._id, paused.version, {
      $set: { status: 'active', paused_reason: null, paused_at: null, version: 3, not_before: resumedAt },
    });
    if (!resumed) throw new Error('not stored');
    expect(await firing(schedule)).toEqual([]);
    // Resume again, as the API does for a schedule that reads active: no write, the change applied again.
    const at = Date.now();
    await applyChange(h.engine, resumed, 'schedule resumed', new Date(at));
    expectPlannedFromChange(await firing(schedule), { at, answeredAt: Date.now(), until: at + 5000 });
    expect((await fence(schedule)).fence).toEqual({ version: 3, status: 'active' });
  });
});

describe('an update or a resume (#15 defect 3)', () => {
  it('does not plan again, under the new version, an instant that a holder may still fire under the old one', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    let schedule = await insertSchedule(h, { rule: everySeconds(1, start), now: start });
    await planOne(h, schedule, start);
    // The change begins 100 ms before a whole second (an instant of the rule): a worker holding
    // that instant's send may fire it before it hears of the change.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 900));
    const at = Date.now();
    const instant = Math.ceil(at / 1000) * 1000;
    const old = schedule.version;
    schedule = await changeSchedule(
      h,
      schedule,
      { callback_url: 'http://127.0.0.1:9/new' },
      'schedule updated',
      new Date(at),
    );
    const sends = (await sendsOf(h, schedule)).filter((s) => s.occurrenceAt === instant);
    expect(sends.map((s) => s.version)).not.toContain(schedule.version);
    // The old version's send of that instant was planned before: it goes out once (from a holder
    // that had not heard yet) or not at all, never also under the new version.
    expect(old).toBe(schedule.version - 1);
    expect(Date.now()).toBeGreaterThanOrEqual(at + CHANGE_SETTLE_MS);
  });

  it('plans every occurrence due in the next seconds under the new version, to the new URL', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    let schedule = await insertSchedule(h, { rule: everySeconds(1, start), now: start });
    await planOne(h, schedule, start);
    for (const change of ['patch', 'pause', 'resume', 'patch'] as const) {
      const at = Date.now();
      if (change === 'patch') {
        const url = `http://127.0.0.1:9/v${schedule.version + 1}`;
        schedule = await changeSchedule(h, schedule, { callback_url: url }, 'schedule updated', new Date(at));
        expect((await fence(schedule)).snapshot.callback_url).toBe(url);
      } else if (change === 'pause') {
        schedule = await changeSchedule(h, schedule, { status: 'paused' }, 'schedule paused', new Date(at));
        expect(await firing(schedule)).toEqual([]);
        continue;
      } else {
        schedule = await changeSchedule(h, schedule, { status: 'active' }, 'schedule resumed', new Date(at));
      }
      // Every occurrence from the moment the new version governs (those a second or two away
      // included) is planned once, under the new version; the rest of the window too.
      const answeredAt = Date.now();
      const sends = (await sendsOf(h, schedule)).filter((s) => s.occurrenceAt > at);
      const { fence: current } = await fence(schedule);
      const fire = sends.filter((s) => verdictOf(s, current).fire);
      expectPlannedFromChange(
        fire.map((s) => s.occurrenceAt),
        { at, answeredAt, until: at + WINDOW_S * 1000 },
      );
      expect(fire.every((s) => s.version === schedule.version)).toBe(true);
      expect(sends.filter((s) => !verdictOf(s, current).fire)).toEqual([]);
    }
  });
});
