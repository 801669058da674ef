import type { ScheduleRecord } from '@event-scheduler/models';
import {
  type Delivery,
  deliveries,
  duplicates,
  occurrenceKey,
  type ReadyService,
  type Receiver,
  sleep,
  startReceiver,
  until,
} from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { changeSchedule, createSchedule, everySeconds, type Harness, openHarness } from './fixtures.js';
import { complaints, startAll, stopAll } from './services.js';

jest.setTimeout(150_000);

let h: Harness;
let receiver: Receiver;
const running: ReadyService[] = [];

beforeAll(async () => {
  // A 3 s window: every tick or two writes the plans of every-second schedules, so planner
  // writes and the API's changes meet as often as they can.
  h = await openHarness('e2echanges', { windowMs: 3000 });
  receiver = await startReceiver();
  await startAll(h, ['worker', 'dispatcher', 'prequeuer'], running, { PREQUEUER_EVENT_TIMEFRAME_MINUTES: '0.05' });
});

afterAll(async () => {
  await stopAll(running);
  await receiver.close();
  await h.close();
});

const of = (schedule: Pick<ScheduleRecord, '_id'>) => (d: Delivery) => d.scheduleId === schedule._id.toHexString();

/** Every-second schedules, each with its own path, already delivering. */
async function everySecond(n: number, path: (i: number) => string): Promise<ScheduleRecord[]> {
  const start = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
  const created = await Promise.all(
    [...Array(n).keys()].map((i) =>
      createSchedule(h, { rule: everySeconds(1, start), callbackUrl: `${receiver.url}${path(i)}` }),
    ),
  );
  await until(
    () => created.every((s) => deliveries(receiver).filter(of(s)).length >= 2),
    20_000,
    'every schedule delivering',
  );
  return created;
}

describe('changes acknowledged by the API hold end to end', () => {
  it('an acknowledged pause stays paused at its version while the planner ticks and workers deliver; nothing fires after it (#15 defect 2)', async () => {
    const schedules = await everySecond(6, (i) => `/pause${i}`);
    /** Per schedule: [acknowledged, ended) intervals it was paused, the version its pause stored. */
    const pauses = new Map<string, { from: number; to: number; version: number }[]>();
    const pauseOnce = async (s: ScheduleRecord, final: boolean) => {
      await sleep(Math.floor(Math.random() * 1000)); // land anywhere between two ticks and deliveries
      const paused = await changeSchedule(h, s, { pause: true });
      const interval = { from: Date.now(), to: Number.POSITIVE_INFINITY, version: paused.version };
      pauses.set(s._id.toHexString(), [...(pauses.get(s._id.toHexString()) ?? []), interval]);
      await sleep(2500); // the planner ticks twice, the others' deliveries go on
      const stored = await h.models.schedules.findById(s._id).lean();
      expect([stored?.status, stored?.version]).toEqual(['paused', paused.version]);
      if (final) return;
      interval.to = Date.now();
      await changeSchedule(h, s, { resume: true });
      await sleep(1500);
    };
    for (let round = 0; round < 3; round++) await Promise.all(schedules.map((s) => pauseOnce(s, round === 2)));
    await sleep(2000);
    for (const s of schedules) {
      const stored = await h.models.schedules.findById(s._id).lean();
      const mine = pauses.get(s._id.toHexString()) ?? [];
      expect([stored?.status, stored?.version]).toEqual(['paused', mine.at(-1)?.version]);
      const during = deliveries(receiver)
        .filter(of(s))
        .filter((d) => mine.some((p) => d.arrivedAt > p.from && d.arrivedAt < p.to));
      expect(during).toEqual([]);
      // Occurrences due while it was paused never fire, not even later.
      expect(
        deliveries(receiver)
          .filter(of(s))
          .filter((d) => mine.some((p) => d.scheduledAt > p.from && d.scheduledAt < p.to)),
      ).toEqual([]);
      expect(duplicates(deliveries(receiver).filter(of(s)))).toEqual([]);
    }
  });

  it('an update (PATCH callback_url) or a resume drops none of the occurrences due in the next seconds: each is delivered once, to the new URL (#15 defect 3)', async () => {
    const schedules = await everySecond(4, (i) => `/old${i}`);
    const changes = new Map<string, { at: number; path: string }[]>();
    const change = async (s: ScheduleRecord) => {
      const id = s._id.toHexString();
      await sleep(Math.floor(Math.random() * 1000));
      await changeSchedule(h, s, { callbackUrl: `${receiver.url}/new-${id}` });
      changes.set(id, [{ at: Date.now(), path: `/new-${id}` }]);
      await sleep(6000);
      await changeSchedule(h, s, { pause: true });
      await sleep(1500);
      await changeSchedule(h, s, { resume: true });
      changes.get(id)?.push({ at: Date.now(), path: `/new-${id}` });
      await sleep(6000);
      await changeSchedule(h, s, { delete: true });
    };
    await Promise.all(schedules.map(change));
    await sleep(2000);
    for (const s of schedules) {
      const mine = deliveries(receiver).filter(of(s));
      for (const { at, path } of changes.get(s._id.toHexString()) ?? []) {
        // The five occurrences right after the change returned (the ones planned a lead or two
        // ahead are the ones at risk): each delivered once, to the new URL.
        const next = Math.ceil(at / 1000) * 1000;
        const expected = [0, 1, 2, 3, 4].map((k) => next + k * 1000);
        const got = mine.filter((d) => expected.includes(d.scheduledAt));
        if (got.length !== expected.length) console.log(complaints(running).join('\n'));
        expect(got.map((d) => [d.scheduledAt, d.path]).sort()).toEqual(expected.map((t) => [t, path]).sort());
        expect(mine.filter((d) => d.arrivedAt > at && d.path !== path)).toEqual([]);
      }
      expect(duplicates(mine)).toEqual([]);
      expect(new Set(mine.map(occurrenceKey)).size).toBe(mine.length);
    }
  });
});
