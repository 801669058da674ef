/**
 * What the worker checks before an attempt (schedule version, pause, deletion, redelivery, manual
 * triggers: the engine's one rule, against the schedule's snapshot and the changes announced
 * while a send is held) and the SSRF guard end to end, with loopback targets only.
 */
import { addExtraEvents, applyChange, redeliver, snapshotOf } from '@event-scheduler/engine';
import { type EventRecord, type ScheduleRecord, updateScheduleIfVersion } from '@event-scheduler/models';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Types } from 'mongoose';
import {
  archived,
  createSchedule,
  eventually,
  type Harness,
  type Lane,
  liveInStatus,
  openHarness,
  planEvent,
  receiversClosedAfterEach,
  sleep,
  TENANT,
  whereabouts,
} from './fixtures.js';
import { type InProcessWorker, startWorker } from './worker-harness.js';

let h: Harness;
let worker: InProcessWorker;
const receiver = receiversClosedAfterEach();

// Generous: the machine is shared and noisy; nothing here asserts how long a step takes.
jest.setTimeout(30_000);

// A lead of 3 s: the dispatcher hands sends over 3 s ahead, which leaves a test that long to
// change a schedule while a worker holds them.
beforeAll(async () => {
  h = await openHarness('worker-checks', { leadMs: 3000 });
  worker = await startWorker(h, { allowList: '127.0.0.1, ::1' });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

/** Stores a change of the schedule as the API does: conditional on its version, which it bumps. */
async function change(schedule: ScheduleRecord, set: Record<string, unknown>): Promise<ScheduleRecord> {
  const updated = await updateScheduleIfVersion(h.models, schedule.tenant_id, schedule._id, schedule.version, {
    $set: { ...set, version: schedule.version + 1, updated_at: new Date() },
  });
  if (!updated) throw new Error('the schedule changed meanwhile');
  return updated;
}

/** Waits until a worker's batch holds each event's next send (the dispatcher handed it over). */
const held = (events: EventRecord[], lane: Lane = h.lane) =>
  eventually('the sends to be held by a worker', async () =>
    (await Promise.all(events.map((e) => whereabouts(lane, e)))).every((w) => w === 'held'),
  );

describe('checks before each attempt', () => {
  it('cancels, without calling, an event whose schedule changed, was paused or deleted', async () => {
    const r = await receiver();
    const [changed, paused, deleted] = await Promise.all(
      [0, 1, 2].map(() => createSchedule(h.models, { callback_url: r.url })),
    );
    const dueAt = Date.now() + 4000;
    const events = await Promise.all(
      [changed, paused, deleted].map((s) => planEvent(h.lane, s!, { at: new Date(dueAt) })),
    );
    await held(events);
    // Each change is stored and announced, the API's first step (applyChange), but the API's own
    // cancellation of the plan is left out: only the worker stands between these sends and the
    // receiver.
    const stored = await Promise.all([
      change(changed!, {}),
      change(paused!, { status: 'paused' }),
      change(deleted!, { deleted_at: new Date() }),
    ]);
    await Promise.all(stored.map((s) => h.engine.snapshots.announce(s._id.toHexString(), snapshotOf(s))));

    const done = await Promise.all(events.map((e) => archived(h.models, e)));
    expect(done.map((d) => [d.status, d.history.at(-1)?.message])).toEqual([
      ['cancelled', 'schedule changed (planned under version 1, now 2)'],
      ['cancelled', 'schedule paused'],
      ['cancelled', 'schedule deleted'],
    ]);
    expect(done.every((d) => d.attempts.length === 0)).toBe(true);
    // Past the instant they were due: none of them went out.
    await sleep(Math.max(0, dueAt + 300 - Date.now()));
    expect(r.requests).toHaveLength(0);
  });

  it('an attempt in flight when the API cancels its event, answered 2xx, leaves it succeeded (issue 15)', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, delayMs: 1500 });
    const schedule = await createSchedule(h.models, { callback_url: r.url });
    const event = await planEvent(h.lane, schedule, { inMs: 1500 });
    await r.waitFor(1);
    // The API pauses the schedule while the receiver takes its time, and archives the event
    // cancelled (its cancelPlan).
    await h.models.archivedEvents.collection.insertOne({
      ...event,
      status: 'cancelled',
      history: [...event.history, { time: new Date(), status: 'cancelled', message: 'schedule paused' }],
      finished_at: new Date(),
      archived_at: new Date(),
    });

    const done = await eventually('the attempt on the archive', async () => {
      const a = await h.models.archivedEvents.findById(event._id).lean();
      return a && a.attempts.length > 0 ? a : null;
    });
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => a.status_code)).toEqual([200]);
    expect(done.history.map((x) => x.status)).toEqual(['scheduled', 'cancelled', 'succeeded']);
  });

  it('a change announced while the worker prepares a batch still stops its sends', async () => {
    // The worker's secret read (part of preparing a batch) waits until the pause is announced: the
    // announcement lands after the batch was opened (its snapshot read) and before its sends are
    // held, so no held send hears it.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let preparing = () => {};
    const prepared = new Promise<void>((resolve) => {
      preparing = resolve;
    });
    const lane = await h.openLane('prepare');
    const gated = await startWorker(h, {
      allowList: '127.0.0.1',
      lane,
      secrets: (store) => ({
        async secretsFor(tenantId, now) {
          preparing();
          await gate;
          return store.secretsFor(tenantId, now);
        },
      }),
    });
    try {
      const r = await receiver();
      const schedule = await createSchedule(h.models, { callback_url: r.url });
      const event = await planEvent(lane, schedule, { inMs: 4000 });
      await prepared;
      const paused = await change(schedule, { status: 'paused' });
      await lane.engine.snapshots.announce(paused._id.toHexString(), snapshotOf(paused));
      openGate();

      const done = await archived(h.models, event);
      expect([done.status, done.history.at(-1)?.message, done.attempts]).toEqual(['cancelled', 'schedule paused', []]);
      await sleep(Math.max(0, event.occurrence_at.getTime() + 300 - Date.now()));
      expect(r.requests).toHaveLength(0);
    } finally {
      openGate();
      await gated.stop();
    }
  });

  it('delivers a redelivery despite a version change, numbering attempts on, with a fresh budget', async () => {
    const r = await receiver();
    const answers = [500, 500, 503, 200];
    r.respond = (_q, i) => ({ status: answers[i] ?? 200 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      retry_policy: { max_attempts: 2, min_backoff_ms: 50, max_backoff_ms: 100 },
    });
    const event = await planEvent(h.lane, schedule);
    const failed = await archived(h.models, event);
    expect(failed.attempts.map((a) => [a.number, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
    ]);
    // The schedule is edited twice (now version 3), each change applied as the API applies it.
    let current = schedule;
    for (const path of ['/v2', '/v3']) {
      current = await change(current, { callback_url: `${r.url}${path}` });
      await applyChange(h.engine, current, 'schedule updated', new Date());
    }

    await redeliver(h.engine, failed, current, new Date());
    const done = await eventually('the redelivery to succeed', async () => {
      const doc = await archived(h.models, event);
      return doc.status === 'succeeded' ? doc : null;
    });
    expect(done.round).toBe(1);
    expect(done.attempts.map((a) => [a.number, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 503],
      [4, 200],
    ]);
    expect(r.requests.map((q) => [q.headers['x-attempt'], q.path])).toEqual([
      ['1', '/'],
      ['2', '/'],
      ['3', '/v3'],
      ['4', '/v3'],
    ]);
  });

  it('a manual trigger ignores a version change but not a pause', async () => {
    const r = await receiver();
    const changed = await createSchedule(h.models, { callback_url: `${r.url}/before` });
    const paused = await createSchedule(h.models, { callback_url: r.url });
    const at = new Date(Date.now() + 4000);
    const [kept] = (await addExtraEvents(h.engine, changed, [at], 'manual', { now: new Date() })).eventIds;
    const [dropped] = (await addExtraEvents(h.engine, paused, [at], 'manual', { now: new Date() })).eventIds;
    const [keptEvent, droppedEvent] = await Promise.all(
      [kept, dropped].map((id) => h.models.events.findById(id).lean<EventRecord>()),
    );
    await held([keptEvent!, droppedEvent!]);

    const edited = await change(changed, { callback_url: `${r.url}/after` });
    const pausedNow = await change(paused, { status: 'paused', paused_reason: 'paused through the API' });
    await applyChange(h.engine, edited, 'schedule updated', new Date());
    await applyChange(h.engine, pausedNow, 'schedule paused', new Date());

    const keptDone = await archived(h.models, { _id: new Types.ObjectId(kept) });
    expect(keptDone.status).toBe('succeeded');
    expect(keptDone.kind).toBe('manual');
    const droppedDone = await archived(h.models, { _id: new Types.ObjectId(dropped) });
    expect([droppedDone.status, droppedDone.history.at(-1)?.message]).toEqual(['cancelled', 'schedule paused']);
    // The kept one went out as the schedule now stands (its request rebuilt after the change).
    expect(r.requests.map((q) => [q.headers['webhook-id'], q.path])).toEqual([[kept, '/after']]);
  });

  it('a redelivery whose first attempt failed survives a later edit of the schedule (issue 11); a pause cancels it', async () => {
    const r = await receiver();
    // Per event: the first delivery fails for good (404), the redelivery's first attempt fails
    // and waits for a retry (503), the retry succeeds.
    const seen = new Map<string, number>();
    r.respond = (q) => {
      const id = String(q.headers['webhook-id']);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return { status: [404, 503][n - 1] ?? 200 };
    };
    // The retry waits 6.5 s: on the timeline (3 s of lead before it is handed over) while the test edits.
    const policy = { max_attempts: 2, min_backoff_ms: 6500, max_backoff_ms: 6500 };
    const edited = await createSchedule(h.models, { callback_url: `${r.url}/before`, retry_policy: policy });
    const paused = await createSchedule(h.models, { callback_url: `${r.url}/before`, retry_policy: policy });
    const events = await Promise.all([edited, paused].map((s) => planEvent(h.lane, s)));
    const failed = await Promise.all(events.map((e) => archived(h.models, e)));
    expect(failed.map((f) => f.status)).toEqual(['failed', 'failed']);

    await redeliver(h.engine, failed[0]!, edited, new Date());
    await redeliver(h.engine, failed[1]!, paused, new Date());
    const waiting = await Promise.all(events.map((e) => liveInStatus(h.models, e, 'retry_scheduled')));
    expect(waiting.map((w) => [w.round, w.attempts.map((a) => a.status_code)])).toEqual([
      [1, [404, 503]],
      [1, [404, 503]],
    ]);
    // The retries wait on the timeline (put there just after the live copy is written), where the
    // API's cancellation looks.
    await eventually('the retries on the timeline', async () =>
      (await Promise.all(waiting.map((w) => whereabouts(h.lane, w)))).every((w) => w === 'timeline'),
    );

    const editedNow = await change(edited, { callback_url: `${r.url}/after` });
    await applyChange(h.engine, editedNow, 'schedule updated', new Date());
    expect(await h.models.archivedEvents.exists({ _id: events[0]!._id })).toBeNull();
    expect(await whereabouts(h.lane, waiting[0]!)).toBe('timeline');
    const pausedNow = await change(paused, { status: 'paused', paused_reason: 'paused through the API' });
    await applyChange(h.engine, pausedNow, 'schedule paused', new Date());

    const cancelled = await archived(h.models, events[1]!);
    expect([cancelled.status, cancelled.history.at(-1)?.message]).toEqual(['cancelled', 'schedule paused']);
    expect(await whereabouts(h.lane, waiting[1]!)).toBe('nowhere');
    const done = await archived(h.models, events[0]!, 20_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => [a.number, a.status_code])).toEqual([
      [1, 404],
      [2, 503],
      [3, 200],
    ]);
    const byEvent = (e: EventRecord) =>
      r.requests
        .filter((q) => q.headers['webhook-id'] === e._id.toHexString())
        .map((q) => [q.headers['x-attempt'], q.path]);
    expect(byEvent(events[0]!)).toEqual([
      ['1', '/before'],
      ['2', '/before'],
      ['3', '/after'],
    ]);
    // Past the instant the paused one's retry was due: it never went out.
    await sleep(Math.max(0, (waiting[1]!.next_attempt_at?.getTime() ?? 0) + 300 - Date.now()));
    expect(byEvent(events[1]!)).toEqual([
      ['1', '/before'],
      ['2', '/before'],
    ]);
  }, 45_000);
});

describe('SSRF guard, end to end on loopback', () => {
  const targets = async () => {
    const v4 = await receiver('127.0.0.1');
    const v6 = await receiver('::1');
    return {
      v4,
      v6,
      urls: {
        ipv4: `http://127.0.0.1:${v4.port}/`,
        ipv6: `http://[::1]:${v6.port}/`,
        hostname: `http://localhost:${v4.port}/`,
      },
    };
  };

  async function deliverAll(lane: Lane, urls: Record<string, string>) {
    const result: Record<string, Awaited<ReturnType<typeof archived>>> = {};
    for (const [name, url] of Object.entries(urls)) {
      const schedule = await createSchedule(h.models, { callback_url: url, tenant_id: TENANT });
      const event = await planEvent(lane, schedule);
      result[name] = await archived(h.models, event);
    }
    return result;
  }

  it('refuses loopback targets (IPv4, IPv6, a host name resolving to 127.0.0.1) without an allow list', async () => {
    const lane = await h.openLane('ssrf');
    const guarded = await startWorker(h, { allowList: '', lane });
    try {
      const { v4, v6, urls } = await targets();
      const done = await deliverAll(lane, urls);
      for (const [name, d] of Object.entries(done)) {
        expect([name, d.status, d.attempts.length, d.attempts[0]?.error_kind]).toEqual([
          name,
          'failed',
          1,
          'ssrf_blocked',
        ]);
      }
      expect(done.ipv4?.attempts[0]?.error_message).toBe(
        'callback refused: 127.0.0.1 is a loopback address; add it to worker.ssrf_allow_list to allow it',
      );
      expect(done.ipv6?.attempts[0]?.error_message).toContain('::1 is a loopback address');
      expect(done.hostname?.attempts[0]?.error_message).toContain('127.0.0.1 (localhost resolves to it) is a loopback');
      expect(v4.requests).toHaveLength(0);
      expect(v6.requests).toHaveLength(0);
    } finally {
      await guarded.stop();
    }
  });

  it('delivers to them when the allow list names them (addresses, or the host name alone)', async () => {
    const { v4, v6, urls } = await targets();
    const done = await deliverAll(h.lane, urls);
    expect(Object.values(done).map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(v4.requests).toHaveLength(2);
    expect(v6.requests).toHaveLength(1);

    const lane = await h.openLane('host');
    const byName = await startWorker(h, { allowList: 'localhost', lane });
    try {
      const only = await deliverAll(lane, { hostname: urls.hostname, ipv4: urls.ipv4 });
      expect(only.hostname?.status).toBe('succeeded');
      expect(only.ipv4?.attempts[0]?.error_kind).toBe('ssrf_blocked');
      expect(v4.requests).toHaveLength(3);
    } finally {
      await byName.stop();
    }
  });
});
