import { findPlan, purgeArchivedEvents } from '@event-scheduler/models';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import {
  batchJobId,
  DELIVER_JOB,
  encodeOccurrence,
  ensurePlans,
  lostShards,
  type Occurrence,
  reconcile,
  retryOf,
  sendOf,
  WORKER_QUEUE,
} from '../src/index.js';
import { everySeconds, type Harness, insertSchedule, openHarness, planOne, sendsOf } from './fixtures.js';

let h: Harness;
let queue: Queue;

beforeAll(async () => {
  h = await openHarness('reconcile', { windowMs: 60_000, leadMs: 2000 });
  queue = new Queue(WORKER_QUEUE, { connection: h.redis, prefix: h.engine.keys.queuePrefix(0) });
});

afterAll(async () => {
  await queue.close();
  await h.close();
});

const reconcileNow = (immediate = false) => reconcile(h.engine, WORKER_QUEUE, { confirmDelayMs: 50, immediate });
const base = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);

/** Every member on the timeline with its score, sorted. */
async function timelineMembers(): Promise<string[]> {
  return (await h.redis.zrange(h.engine.keys.timeline(0), 0, -1, 'WITHSCORES')).sort();
}

/** What a dispatcher does on hand-over: the sends marked held by a batch job, then the job added. */
async function handToBatch(sends: Occurrence[], { addJob }: { addJob: boolean }): Promise<string> {
  const members = sends.map(encodeOccurrence);
  const jobId = batchJobId(Math.floor((sends[0]?.dueAt ?? 0) / 1000), members);
  await h.engine.timeline.remove(sends);
  await h.engine.timeline.hand(0, jobId, sends);
  // Delayed far ahead: no worker runs here, the job only has to exist.
  if (addJob) await queue.add(DELIVER_JOB, { sends: members, taken_at: Date.now() }, { jobId, delay: 3600_000 });
  return jobId;
}

describe('reconcile', () => {
  it('re-adds the sends Redis lost, the same members at the same instants, and nothing twice', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now });
    await planOne(h, schedule, now);
    const sends = await sendsOf(h, schedule);
    expect(sends).toHaveLength(7);
    // The first one was handed to a worker's batch already: held by a job that still runs.
    await handToBatch(sends.slice(0, 1), { addJob: true });
    const before = await timelineMembers();
    // Redis loses the plan.
    await h.redis.del(h.engine.keys.timeline(0));

    expect(await reconcileNow()).toEqual({ checked: 7, readded: 6 });
    expect(await timelineMembers()).toEqual(before);
    expect(await h.engine.timeline.locate(sends)).toEqual([
      { at: 'held', job: expect.any(String) },
      ...Array(6).fill({ at: 'timeline' }),
    ]);
    // Everything is there now: a second pass adds nothing.
    expect(await reconcileNow()).toEqual({ checked: 7, readded: 0 });
  });

  it('re-adds sends held by a batch job that no longer exists, or that finished without them', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: `${everySeconds(10, now)};COUNT=3`, now });
    await planOne(h, schedule, now);
    const [gone, failed, running] = await sendsOf(h, schedule);
    if (!gone || !failed || !running) throw new Error('not planned');
    // A dispatcher died between marking the send held and adding its job.
    await handToBatch([gone], { addJob: false });
    // A job kept after failing for good (removeOnFail) will never run again.
    const failedJob = await handToBatch([failed], { addJob: true });
    await h.redis.hset(
      `${h.engine.keys.queuePrefix(0)}:${WORKER_QUEUE}:${failedJob}`,
      'finishedOn',
      String(Date.now()),
    );
    await handToBatch([running], { addJob: true });

    expect((await reconcileNow()).readded).toBe(2);
    expect(await h.engine.timeline.locate([gone, failed, running])).toEqual([
      { at: 'timeline' },
      { at: 'timeline' },
      { at: 'held', job: expect.any(String) },
    ]);
    expect((await reconcileNow()).readded).toBe(0);
  });

  it('re-adds the sends of a batch that fired and then failed for good as the next attempt (x-attempt never repeats)', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: `${everySeconds(10, now)};COUNT=2`, now });
    await planOne(h, schedule, now);
    const [fired, unfired] = await sendsOf(h, schedule);
    if (!fired || !unfired) throw new Error('not planned');
    const finish = async (jobId: string, progress: number | null) => {
      const key = `${h.engine.keys.queuePrefix(0)}:${WORKER_QUEUE}:${jobId}`;
      await h.redis.hset(key, 'finishedOn', String(Date.now()));
      if (progress !== null) await h.redis.hset(key, 'progress', String(progress));
    };
    // One batch fired twice (the worker raised its progress before each run fired), one never did.
    await finish(await handToBatch([fired], { addJob: true }), 2);
    await finish(await handToBatch([unfired], { addJob: true }), null);

    expect((await reconcileNow()).readded).toBe(2);
    expect(await h.engine.timeline.locate([{ ...fired, attempt: 3 }, fired, unfired])).toEqual([
      { at: 'timeline' },
      { at: 'nowhere' },
      { at: 'timeline' },
    ]);
    const event = await h.models.events.findById(fired.eventId).lean();
    expect(event?.attempts.map((a) => [a.number, a.error_kind])).toEqual([
      [1, 'worker_lost'],
      [2, 'worker_lost'],
    ]);
    expect((await reconcileNow()).readded).toBe(0);
  });

  it('after Redis lost its data, re-adds the sends due around the loss as the next attempt, the rest as planned', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: `${everySeconds(10, now)};COUNT=3`, now });
    await planOne(h, schedule, now);
    const sends = await sendsOf(h, schedule);
    const [first, second, third] = sends;
    if (!first || !second || !third) throw new Error('not planned');
    await h.redis.del(h.engine.keys.timeline(0));
    // The loss window covers the first two instants: a worker may have held and fired them.
    const inFlight = { from: first.dueAt, to: second.dueAt };

    await reconcile(h.engine, WORKER_QUEUE, { immediate: true, inFlight });
    expect(await h.engine.timeline.locate([{ ...first, attempt: 2 }, { ...second, attempt: 2 }, third])).toEqual(
      Array(3).fill({ at: 'timeline' }),
    );
    // The attempt that may have gone out is on record, so the send derived from the event agrees.
    const events = await h.models.events.find({ _id: { $in: sends.map((x) => x.eventId) } }).lean();
    expect(events.map((e) => [sendOf(e).attempt, e.attempts.map((a) => [a.number, a.error_kind])]).sort()).toEqual([
      [1, []],
      [2, [[1, 'worker_lost']]],
      [2, [[1, 'worker_lost']]],
    ]);
    // A second pass finds every send where it should be, and adds nothing.
    expect((await reconcileNow(true)).readded).toBe(0);
  });

  it('re-adds the retry of an event waiting for one (retry_scheduled), at its next attempt', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: `${everySeconds(10, now)};COUNT=1`, now });
    await planOne(h, schedule, now);
    const [first] = await sendsOf(h, schedule);
    if (!first) throw new Error('not planned');
    await handToBatch([first], { addJob: true });
    // The worker's first attempt failed (500): the event waits for its retry, due in a minute.
    const attemptAt = new Date();
    const retryAt = new Date(now.getTime() + 60_000);
    const recorded = await h.engine.outcomes.retry(first, retryOf(first, retryAt.getTime()), {
      attempts: [
        {
          number: 1,
          started_at: attemptAt,
          duration_ms: 5,
          status_code: 500,
          error_kind: 'http_status',
          error_message: 'HTTP 500',
          response_snippet: null,
        },
      ],
      history: [
        { time: attemptAt, status: 'dispatched', message: 'released to a worker' },
        { time: attemptAt, status: 'delivering', message: 'attempt 1' },
        { time: attemptAt, status: 'retry_scheduled', message: 'HTTP 500; retry in 60 s' },
      ],
      now: attemptAt,
      carry: '{}',
    });
    expect(recorded).toBe(true);
    const event = await h.models.events.findById(first.eventId).lean();
    expect(event?.status).toBe('retry_scheduled');
    const retry = sendOf(event!);
    expect(retry).toEqual({ ...first, dueAt: retryAt.getTime(), attempt: 2 });
    expect(await h.engine.timeline.locate([retry])).toEqual([{ at: 'timeline' }]);
    // Redis loses everything: the plan, what was held, the batch jobs.
    const planned = new Set([
      ...(await h.redis.zrange(h.engine.keys.timeline(0), 0, -1)),
      ...(await h.redis.hkeys(h.engine.keys.held(0))),
    ]).size;
    await h.redis.del(h.engine.keys.timeline(0), h.engine.keys.held(0));
    await queue.obliterate({ force: true });

    expect((await reconcileNow(true)).readded).toBe(planned);
    expect(await h.engine.timeline.locate([retry])).toEqual([{ at: 'timeline' }]);
    expect(Number(await h.redis.zscore(h.engine.keys.timeline(0), encodeOccurrence(retry)))).toBe(retryAt.getTime());
    expect((await reconcileNow(true)).readded).toBe(0);
  });
});

describe('lostShards', () => {
  it('reports a shard whose epoch key is gone once, to one caller', async () => {
    expect(await lostShards(h.redis, h.engine.keys)).toEqual([0]);
    expect(await lostShards(h.redis, h.engine.keys)).toEqual([]);
    await h.redis.del(h.engine.keys.epoch(0)); // what FLUSHALL or a restart without persistence does
    const [one, other] = await Promise.all([lostShards(h.redis, h.engine.keys), lostShards(h.redis, h.engine.keys)]);
    expect([...one, ...other]).toEqual([0]);
    expect(await lostShards(h.redis, h.engine.keys)).toEqual([]);
  });
});

describe('ensurePlans', () => {
  it('starts the plan of an active schedule changed without one, once', async () => {
    const now = base();
    const schedule = await insertSchedule(h, { rule: everySeconds(10, now), now, plan: false });
    const paused = await insertSchedule(h, { rule: everySeconds(10, now), now, plan: false });
    await h.models.schedules.updateOne({ _id: paused._id }, { $set: { status: 'paused' } });
    const since = new Date(now.getTime() - 60_000);
    expect(await ensurePlans(h.engine, since, now)).toBe(1);
    expect((await findPlan(h.models, schedule._id, 1))?.next_run_at?.getTime()).toBe(now.getTime() + 10_000);
    expect(await findPlan(h.models, paused._id, 1)).toBeNull();
    expect(await ensurePlans(h.engine, since, now)).toBe(0);
  });
});

describe('purgeArchivedEvents', () => {
  it('deletes archived events older than the retention', async () => {
    const schedule = await insertSchedule(h, { rule: everySeconds(10, new Date()), plan: false });
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
