/** Overlap policies, auto-pause and several workers sharing worker_queue. */
import { QUEUE_NAMES } from '@event-scheduler/queues';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { retryJobId } from '../src/delivery/job-ids.js';
import {
  archived,
  createEvent,
  createSchedule,
  enqueueDelivery,
  eventually,
  type Harness,
  type InProcessWorker,
  liveInStatus,
  openHarness,
  receiversClosedAfterEach,
  startWorker,
} from './fixtures.js';

let h: Harness;
let worker: InProcessWorker;
const receiver = receiversClosedAfterEach();

beforeAll(async () => {
  h = await openHarness('worker-policies');
  worker = await startWorker(h, { allowList: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await worker.stop();
  await h.close();
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('overlap policy', () => {
  it('allow: a new occurrence is delivered while the previous one is still in flight', async () => {
    const r = await receiver();
    r.respond = (_q, i) => (i === 0 ? { status: 200, delayMs: 1500 } : { status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, overlap_policy: 'allow' });
    const first = await createEvent(h.models, schedule);
    const second = await createEvent(h.models, schedule);
    await enqueueDelivery(worker.queues, first);
    await r.waitFor(1);
    await liveInStatus(h.models, first, 'delivering');
    await enqueueDelivery(worker.queues, second);

    const [a, b] = await Promise.all([archived(h.models, first), archived(h.models, second)]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    // The second arrived before the first was answered: they overlapped.
    expect(b.attempts[0]!.started_at.getTime()).toBeLessThan(a.finished_at!.getTime());
  });

  it('skip: the new occurrence is recorded skipped while the previous one is delivering', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, delayMs: 1500 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, overlap_policy: 'skip' });
    const first = await createEvent(h.models, schedule);
    const second = await createEvent(h.models, schedule);
    await enqueueDelivery(worker.queues, first);
    await r.waitFor(1);
    await liveInStatus(h.models, first, 'delivering');
    await enqueueDelivery(worker.queues, second);

    const skipped = await archived(h.models, second);
    expect(skipped.status).toBe('skipped');
    expect(skipped.attempts).toHaveLength(0);
    expect(skipped.history.at(-1)?.message).toBe(
      `skipped: the previous occurrence (${first.occurrence_at.toISOString()}) is still being delivered`,
    );
    expect((await archived(h.models, first)).status).toBe('succeeded');
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([first._id.toString()]);
  });

  it('skip: also while the previous one waits for a retry; once it is done, the next proceeds', async () => {
    const r = await receiver();
    r.respond = (q) => (q.headers['webhook-id'] === String(first._id) ? { status: 500 } : { status: 200 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      overlap_policy: 'skip',
      retry_policy: { max_attempts: 2, min_backoff_ms: 1500, max_backoff_ms: 1500 },
    });
    const first = await createEvent(h.models, schedule);
    const second = await createEvent(h.models, schedule);
    const third = await createEvent(h.models, schedule);
    await enqueueDelivery(worker.queues, first);
    await liveInStatus(h.models, first, 'retry_scheduled');
    await enqueueDelivery(worker.queues, second);
    expect((await archived(h.models, second)).status).toBe('skipped');
    expect((await archived(h.models, first)).status).toBe('failed');
    await enqueueDelivery(worker.queues, third);
    expect((await archived(h.models, third)).status).toBe('succeeded');
  });

  it('cancel_previous: the older occurrence loses its pending retry and is recorded superseded', async () => {
    const r = await receiver();
    r.respond = (q) => (q.headers['webhook-id'] === String(first._id) ? { status: 503 } : { status: 200 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      overlap_policy: 'cancel_previous',
      retry_policy: { max_attempts: 5, min_backoff_ms: 1000, max_backoff_ms: 1000 },
    });
    const first = await createEvent(h.models, schedule);
    const second = await createEvent(h.models, schedule);
    await enqueueDelivery(worker.queues, first);
    const waiting = await liveInStatus(h.models, first, 'retry_scheduled');
    const pendingRetry = retryJobId(first, waiting.attempts.length + 1);
    expect(await worker.queues.queue(QUEUE_NAMES.worker).getJob(pendingRetry)).toBeDefined();
    await enqueueDelivery(worker.queues, second);

    const superseded = await archived(h.models, first);
    expect(superseded.status).toBe('cancelled');
    expect(superseded.history.at(-1)?.message).toBe(
      `superseded by the occurrence at ${second.occurrence_at.toISOString()}; remaining retries dropped`,
    );
    expect(superseded.attempts.map((a) => a.status_code)).toEqual([503]);
    expect((await archived(h.models, second)).status).toBe('succeeded');
    expect(await worker.queues.queue(QUEUE_NAMES.worker).getJob(pendingRetry)).toBeUndefined();
    // Past the time the dropped retry was due: the receiver never saw the first occurrence again.
    await sleep(1300);
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([first._id.toString(), second._id.toString()]);
  });

  it('cancel_previous: an attempt in flight finishes and is kept on the superseded event', async () => {
    const r = await receiver();
    r.respond = (q) => (q.headers['webhook-id'] === String(first._id) ? { status: 200, delayMs: 1200 } : {});
    const schedule = await createSchedule(h.models, { callback_url: r.url, overlap_policy: 'cancel_previous' });
    const first = await createEvent(h.models, schedule);
    const second = await createEvent(h.models, schedule);
    await enqueueDelivery(worker.queues, first);
    await r.waitFor(1);
    await liveInStatus(h.models, first, 'delivering');
    await enqueueDelivery(worker.queues, second);

    expect((await archived(h.models, second)).status).toBe('succeeded');
    const superseded = await eventually('the in-flight attempt on the archived event', async () => {
      const doc = await h.models.archivedEvents.findOne({ _id: first._id }).lean();
      return doc && doc.attempts.length > 0 ? doc : null;
    });
    expect(superseded.status).toBe('cancelled');
    expect(superseded.attempts.map((a) => a.status_code)).toEqual([200]);
  });
});

describe('auto-pause', () => {
  it('pauses the schedule after max_consecutive_failures failed occurrences and cancels what is planned', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 410 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, max_consecutive_failures: 2 });
    const [first, second] = [await createEvent(h.models, schedule), await createEvent(h.models, schedule)];
    const planned = await createEvent(h.models, schedule, { status: 'scheduled' });

    await enqueueDelivery(worker.queues, first);
    expect((await archived(h.models, first)).status).toBe('failed');
    const afterOne = await eventually('one failure counted', async () => {
      const doc = await h.models.schedules.findById(schedule._id).lean();
      return doc?.consecutive_failures === 1 ? doc : null;
    });
    expect(afterOne.status).toBe('active');

    await enqueueDelivery(worker.queues, second);
    const failedSecond = await archived(h.models, second);
    const paused = await eventually('the schedule to be paused', async () => {
      const doc = await h.models.schedules.findById(schedule._id).lean();
      return doc?.status === 'paused' ? doc : null;
    });
    const since = (await archived(h.models, first)).finished_at!.toISOString();
    expect(paused.paused_reason).toBe(`auto-paused after 2 consecutive failures since ${since}`);
    expect(paused.paused_at?.getTime()).toBeGreaterThanOrEqual(failedSecond.finished_at!.getTime());
    expect(paused.version).toBe(schedule.version + 1);
    expect(paused.consecutive_failures).toBe(0);
    const cancelled = await archived(h.models, planned);
    expect([cancelled.status, cancelled.history.at(-1)?.message]).toEqual(['cancelled', paused.paused_reason]);
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
    for (let i = 0; i < 3; i++) {
      const event = await createEvent(h.models, schedule);
      await enqueueDelivery(worker.queues, event);
      await archived(h.models, event);
      const doc = await eventually('the streak count', async () => {
        const d = await h.models.schedules.findById(schedule._id).lean();
        return d && d.consecutive_failures === [1, 0, 1][i] ? d : null;
      });
      counts.push(doc.consecutive_failures);
    }
    expect(counts).toEqual([1, 0, 1]);
    expect((await h.models.schedules.findById(schedule._id).lean())?.status).toBe('active');

    const off = await createSchedule(h.models, { callback_url: r.url, max_consecutive_failures: 0 });
    r.respond = () => ({ status: 400 });
    for (let i = 0; i < 3; i++) {
      const event = await createEvent(h.models, off);
      await enqueueDelivery(worker.queues, event);
      await archived(h.models, event);
    }
    // The count is written just after the archive: wait for it.
    const still = await eventually('three failures counted', async () => {
      const doc = await h.models.schedules.findById(off._id).lean();
      return doc?.consecutive_failures === 3 ? doc : null;
    });
    expect(still.status).toBe('active');
  });
});

describe('several workers on one queue', () => {
  it('share the jobs: each occurrence is delivered once', async () => {
    const second = await startWorker(h, { allowList: '127.0.0.1' });
    try {
      const r = await receiver();
      r.respond = () => ({ status: 200, delayMs: 20 });
      const schedule = await createSchedule(h.models, { callback_url: r.url });
      const events = [];
      for (let i = 0; i < 30; i++) events.push(await createEvent(h.models, schedule));
      await Promise.all(events.map((e) => enqueueDelivery(worker.queues, e)));
      const done = await Promise.all(events.map((e) => archived(h.models, e, 30_000)));
      expect(done.every((d) => d.status === 'succeeded' && d.attempts.length === 1)).toBe(true);
      const ids = r.requests.map((q) => q.headers['webhook-id']);
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
