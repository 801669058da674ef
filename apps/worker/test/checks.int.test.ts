/**
 * What the worker checks before an attempt (schedule version, pause, deletion, redelivery, manual
 * triggers) and the SSRF guard end to end, with loopback targets only.
 */
import { REDELIVERY_REQUESTED } from '@event-scheduler/models';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  archived,
  createEvent,
  createSchedule,
  enqueueDelivery,
  type Harness,
  type InProcessWorker,
  openHarness,
  receiversClosedAfterEach,
  startWorker,
  TENANT,
} from './fixtures.js';

let h: Harness;
let worker: InProcessWorker;
const receiver = receiversClosedAfterEach();

beforeAll(async () => {
  h = await openHarness('worker-checks');
  worker = await startWorker(h, { allowList: '127.0.0.1, ::1' });
}, 60_000);

afterAll(async () => {
  await worker.stop();
  await h.close();
}, 60_000);

describe('checks before each attempt', () => {
  it('cancels, without calling, an event whose schedule changed, was paused or deleted', async () => {
    const r = await receiver();
    const changed = await createSchedule(h.models, { callback_url: r.url });
    const paused = await createSchedule(h.models, { callback_url: r.url });
    const deleted = await createSchedule(h.models, { callback_url: r.url });
    const events = [
      await createEvent(h.models, changed),
      await createEvent(h.models, paused),
      await createEvent(h.models, deleted),
    ];
    await h.models.schedules.updateOne({ _id: changed._id }, { $inc: { version: 1 } });
    await h.models.schedules.updateOne({ _id: paused._id }, { $set: { status: 'paused' } });
    await h.models.schedules.updateOne({ _id: deleted._id }, { $set: { deleted_at: new Date() } });
    for (const event of events) await enqueueDelivery(worker.queues, event);

    const done = await Promise.all(events.map((e) => archived(h.models, e)));
    expect(done.map((d) => [d.status, d.history.at(-1)?.message])).toEqual([
      ['cancelled', 'schedule changed (planned under version 1, now 2)'],
      ['cancelled', 'schedule paused'],
      ['cancelled', 'schedule deleted'],
    ]);
    expect(done.every((d) => d.attempts.length === 0)).toBe(true);
    expect(r.requests).toHaveLength(0);
  });

  it('delivers a redelivery despite a version change, numbering attempts on, with a fresh budget', async () => {
    const r = await receiver();
    r.respond = (_q, i) => (i === 0 ? { status: 503 } : { status: 200 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      version: 3,
      retry_policy: { max_attempts: 2, min_backoff_ms: 50, max_backoff_ms: 100 },
    });
    const old = { number: 1, started_at: new Date(), duration_ms: 5, status_code: 500, error_kind: 'http_status' };
    const event = await createEvent(h.models, schedule, {
      schedule_version: 1,
      status: 'scheduled',
      attempts: [1, 2].map((number) => ({ ...old, number, error_message: 'HTTP 500', response_snippet: null })),
      history: [
        { time: new Date(), status: 'failed', message: 'failed on attempt 2: HTTP 500' },
        { time: new Date(), status: 'scheduled', message: REDELIVERY_REQUESTED },
      ],
    });
    await enqueueDelivery(worker.queues, event, `redelivery-${event._id}-r2`);

    const done = await archived(h.models, event);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => [a.number, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 503],
      [4, 200],
    ]);
    expect(r.requests.map((q) => q.headers['x-attempt'])).toEqual(['3', '4']);
  });

  it('a manual trigger ignores a version change but not a pause', async () => {
    const r = await receiver();
    const changed = await createSchedule(h.models, { callback_url: r.url, version: 2 });
    const paused = await createSchedule(h.models, { callback_url: r.url, status: 'paused' });
    const kept = await createEvent(h.models, changed, { kind: 'manual', schedule_version: 1 });
    const dropped = await createEvent(h.models, paused, { kind: 'manual' });
    await enqueueDelivery(worker.queues, kept);
    await enqueueDelivery(worker.queues, dropped);
    expect((await archived(h.models, kept)).status).toBe('succeeded');
    expect((await archived(h.models, dropped)).history.at(-1)?.message).toBe('schedule paused');
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([kept._id.toString()]);
  });
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

  async function deliverAll(target: InProcessWorker, urls: Record<string, string>) {
    const result: Record<string, Awaited<ReturnType<typeof archived>>> = {};
    for (const [name, url] of Object.entries(urls)) {
      const schedule = await createSchedule(h.models, { callback_url: url, tenant_id: TENANT });
      const event = await createEvent(h.models, schedule);
      await enqueueDelivery(target.queues, event);
      result[name] = await archived(h.models, event);
    }
    return result;
  }

  it('refuses loopback targets (IPv4, IPv6, a host name resolving to 127.0.0.1) without an allow list', async () => {
    const guarded = await startWorker(h, { allowList: '', prefix: `${h.services.queuePrefix}_ssrf` });
    try {
      const { v4, v6, urls } = await targets();
      const done = await deliverAll(guarded, urls);
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
    const done = await deliverAll(worker, urls);
    expect(Object.values(done).map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(v4.requests).toHaveLength(2);
    expect(v6.requests).toHaveLength(1);

    const byName = await startWorker(h, { allowList: 'localhost', prefix: `${h.services.queuePrefix}_host` });
    try {
      const only = await deliverAll(byName, { hostname: urls.hostname, ipv4: urls.ipv4 });
      expect(only.hostname?.status).toBe('succeeded');
      expect(only.ipv4?.attempts[0]?.error_kind).toBe('ssrf_blocked');
      expect(v4.requests).toHaveLength(3);
    } finally {
      await byName.stop();
    }
  });
});
