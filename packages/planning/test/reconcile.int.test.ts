import { purgeArchivedEvents, statusChange } from '@event-scheduler/models';
import { enqueue, occurrenceJobId, QUEUE_NAMES } from '@event-scheduler/queues';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { occurrencePayload, type PlanningDeps, planSchedule, reconcile } from '../src/index.js';
import { everySeconds, type Harness, insertSchedule, jobIds, openHarness } from './fixtures.js';

let h: Harness;
let deps: PlanningDeps;

beforeAll(async () => {
  h = await openHarness('reconcile');
  deps = { models: h.models, queues: h.queues, log: h.log, windowMs: 60_000, leadMs: 2000 };
});

afterAll(async () => {
  await h.close();
});

const reconcileNow = () =>
  reconcile({
    models: h.models,
    queues: h.queues,
    redis: h.redis,
    log: h.log,
    clock: () => new Date(),
    leadMs: 2000,
    dispatchedAfterMs: 0,
    confirmDelayMs: 50,
  });

describe('reconcile', () => {
  it('re-adds the jobs Redis lost, with the same ids, and nothing twice', async () => {
    const now = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, now), now });
    await planSchedule(deps, schedule, now);
    const before = await jobIds(h.queues, 'ready');
    expect(before).toHaveLength(7);
    // One event was handed off already: its job lives in worker_queue, not ready_queue.
    const events = await h.models.events.find({ schedule_id: schedule._id }).sort({ occurrence_at: 1 }).lean();
    const handed = events[0];
    if (!handed) throw new Error('no events');
    await h.models.events.bulkWrite([statusChange(handed._id, 'dispatched', { now: new Date(Date.now() - 10_000) })]);
    await h.models.events.updateOne({ _id: handed._id }, { $set: { updated_at: new Date(Date.now() - 10_000) } });
    // Redis loses everything.
    await h.queues.queue(QUEUE_NAMES.ready).obliterate({ force: true });
    expect(await jobIds(h.queues, 'ready')).toEqual([]);

    const outcome = await reconcileNow();
    expect(outcome).toEqual({ checked: 7, dispatch: 6, deliver: 1 });
    expect(await jobIds(h.queues, 'ready')).toEqual(before.filter((id) => id !== before[0]));
    expect(await jobIds(h.queues, 'worker')).toEqual([
      occurrenceJobId(schedule._id.toHexString(), handed.occurrence_at),
    ]);
    const job = await h.queues.queue(QUEUE_NAMES.ready).getJob(before[3] as string);
    expect(job?.opts.delay).toBeGreaterThan(20_000);

    // Everything is there now: a second pass adds nothing.
    expect(await reconcileNow()).toEqual({ checked: 7, dispatch: 0, deliver: 0 });
  });

  it('treats a job kept after failing as missing', async () => {
    const now = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    const schedule = await insertSchedule(h.models, { rule: `${everySeconds(10, now)};COUNT=1`, now });
    await planSchedule(deps, schedule, now);
    const event = await h.models.events.findOne({ schedule_id: schedule._id }).lean();
    if (!event) throw new Error('not planned');
    const id = occurrenceJobId(schedule._id.toHexString(), event.occurrence_at);
    await h.queues.queue(QUEUE_NAMES.ready).remove(id);
    // A failed job with the same id (kept by removeOnFail) blocks a plain re-add.
    await enqueue(h.queues, 'dispatch', [{ jobId: id, payload: occurrencePayload(event) }]);
    const failed = await h.queues.queue(QUEUE_NAMES.ready).getJob(id);
    await h.redis.hset(h.queues.queue(QUEUE_NAMES.ready).toKey(id), 'finishedOn', String(Date.now()));
    expect(failed).toBeDefined();
    const outcome = await reconcileNow();
    expect(outcome.dispatch).toBeGreaterThanOrEqual(1);
    const readded = await h.queues.queue(QUEUE_NAMES.ready).getJob(id);
    expect(readded?.finishedOn).toBeUndefined();
  });
});

describe('purgeArchivedEvents', () => {
  it('deletes archived events older than the retention', async () => {
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, new Date()), nextRunAt: null });
    const base = {
      tenant_id: 'tenant-a',
      schedule_id: schedule._id,
      schedule_version: 1,
      status: 'succeeded' as const,
      kind: 'rule' as const,
    };
    const old = new Date(Date.now() - 40 * 86_400_000);
    await h.models.archivedEvents.insertMany([
      { ...base, occurrence_at: old, archived_at: old },
      { ...base, occurrence_at: new Date(old.getTime() + 1), archived_at: old },
      { ...base, occurrence_at: new Date(), archived_at: new Date() },
    ]);
    expect(await purgeArchivedEvents(h.models, new Date(Date.now() - 30 * 86_400_000), 1)).toBe(2);
    expect(await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })).toBe(1);
  });
});
