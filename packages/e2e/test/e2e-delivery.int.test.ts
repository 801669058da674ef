import {
  deliveries,
  duplicates,
  type ReadyService,
  type Receiver,
  sleep,
  startReceiver,
  until,
} from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { changeSchedule, createSchedule, everySeconds, type Harness, openHarness } from './fixtures.js';
import { startAll, stopAll } from './services.js';

jest.setTimeout(120_000);

let h: Harness;
let receiver: Receiver;
const running: ReadyService[] = [];

beforeAll(async () => {
  h = await openHarness('e2edelivery');
  receiver = await startReceiver();
  await startAll(h, ['worker', 'dispatcher', 'prequeuer'], running);
});

afterAll(async () => {
  await stopAll(running);
  await receiver.close();
  await h.close();
});

describe('end to end: planned, dispatched, delivered', () => {
  it('delivers an every-second schedule created 2 s before its first occurrence: ten, in order, once each', async () => {
    const created = new Date();
    const first = new Date(Math.ceil((created.getTime() + 2000) / 1000) * 1000);
    // Created as the API does: stored, then its window planned at once (not at the next tick).
    const schedule = await createSchedule(h, {
      rule: `${everySeconds(1, first)};COUNT=10`,
      callbackUrl: `${receiver.url}/ten`,
      now: created,
    });
    const id = schedule._id.toHexString();
    await receiver.waitFor(10, 30_000, (r) => r.path === '/ten');
    await sleep(1500); // anything extra would show up now
    const got = deliveries(receiver).filter((d) => d.scheduleId === id);
    const lateness = got.map((d) => Math.round(d.arrivedAt - d.scheduledAt));
    console.log(`lateness of the ten occurrences (ms): ${lateness.join(', ')}`);
    expect(got.map((d) => d.scheduledAt)).toEqual([...Array(10).keys()].map((i) => first.getTime() + i * 1000));
    expect(duplicates(got)).toEqual([]);
    await until(
      async () => (await h.models.schedules.findById(schedule._id).lean())?.status === 'completed',
      15_000,
      'completed',
    );
    // Each occurrence's whole life is in its archived history, the dispatcher's hand-over included
    // (the worker records it with `delivering`).
    await until(
      async () => (await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })) === 10,
      15_000,
      'archived',
    );
    const archived = await h.models.archivedEvents.find({ schedule_id: schedule._id }).lean();
    for (const event of archived) {
      expect(event.history.map((x) => x.status)).toEqual(['scheduled', 'dispatched', 'delivering', 'succeeded']);
      expect(event.attempts.map((a) => a.status_code)).toEqual([200]);
    }
  });

  it('pause, resume, update and delete take effect before the call returns (checked by the receiver)', async () => {
    const start = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const schedule = await createSchedule(h, { rule: everySeconds(1, start), callbackUrl: `${receiver.url}/v1` });
    const id = schedule._id.toHexString();
    const mine = () => deliveries(receiver).filter((d) => d.scheduleId === id);
    await until(() => mine().length >= 3, 20_000, 'first deliveries');

    await changeSchedule(h, schedule, { pause: true });
    const paused = Date.now();
    await sleep(3000);
    expect(mine().filter((d) => d.arrivedAt > paused)).toEqual([]);

    await changeSchedule(h, schedule, { resume: true });
    const resumed = Date.now();
    await until(() => mine().filter((d) => d.arrivedAt > resumed).length >= 2, 15_000, 'deliveries after resume');
    // Nothing planned during the pause was sent afterwards: every delivery after the resume is for later.
    expect(mine().filter((d) => d.arrivedAt > resumed && d.scheduledAt < resumed - 1000)).toEqual([]);

    await changeSchedule(h, schedule, { callbackUrl: `${receiver.url}/v2` });
    const updated = Date.now();
    await until(() => mine().filter((d) => d.path === '/v2').length >= 2, 15_000, 'deliveries to the new URL');
    expect(mine().filter((d) => d.arrivedAt > updated && d.path === '/v1')).toEqual([]);

    await changeSchedule(h, schedule, { delete: true });
    const deleted = Date.now();
    await sleep(3000);
    expect(mine().filter((d) => d.arrivedAt > deleted)).toEqual([]);
    expect(duplicates(mine())).toEqual([]);
  });
});
