/**
 * Delivery outcomes against a real loopback receiver: success, retries and their waits, permanent
 * failures, timeouts, refused connections, Retry-After, an endless body, signatures and metrics.
 */

import { generateSigningSecret as newSigningSecret } from '@event-scheduler/callback';
import { freePort, type Receiver } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  archived,
  createSchedule,
  type Harness,
  openHarness,
  planEvent,
  receiversClosedAfterEach,
  signingSecret,
  sleep,
} from './fixtures.js';
import { type InProcessWorker, startWorker } from './worker-harness.js';

let h: Harness;
let worker: InProcessWorker;
const receiver = receiversClosedAfterEach();

// Generous: the machine is shared and noisy; nothing here asserts how long a step takes.
jest.setTimeout(30_000);

beforeAll(async () => {
  h = await openHarness('worker-delivery', { leadMs: 3000 });
  worker = await startWorker(h, { allowList: '127.0.0.1, ::1' });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

function verifies(secret: string, body: string, headers: Record<string, unknown>): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch (error) {
    return !(error instanceof WebhookVerificationError);
  }
}

const gaps = (r: Receiver) =>
  r.requests.slice(1).map((q, i) => Math.round(q.arrivedAt - (r.requests[i]?.arrivedAt ?? 0)));

describe('delivery outcomes against a real receiver', () => {
  it('delivers once: signed, identified, recorded and archived as succeeded', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, body: 'thanks' });
    const schedule = await createSchedule(h.models, { callback_url: `${r.url}/hook` });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({
      number: 1,
      status_code: 200,
      error_kind: null,
      response_snippet: 'thanks',
    });
    expect(done.history.map((x) => x.status)).toEqual(['scheduled', 'dispatched', 'delivering', 'succeeded']);
    // The outcome is the archive insert alone: the live copy is not written on success (it is
    // left, as planned, to the prequeuer's purge; the archived copy wins wherever both are read).
    const live = await h.models.events.findById(event._id).lean();
    expect([live?.status, live?.attempts]).toEqual(['scheduled', []]);

    const [request] = await r.waitFor(1);
    expect(r.requests).toHaveLength(1);
    const id = event._id.toString();
    expect(request?.path).toBe('/hook');
    expect(request?.headers).toMatchObject({
      'webhook-id': id,
      'idempotency-key': id,
      'x-event-id': id,
      'x-schedule-id': schedule._id.toString(),
      'x-scheduled-time': event.occurrence_at.toISOString(),
      'x-attempt': '1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      schedule_id: schedule._id.toString(),
      event_id: id,
      scheduled_at: event.occurrence_at.toISOString(),
      attempt: 1,
      name: 'worker test',
      metadata: { suite: 'worker' },
    });
    // The tenant did not exist: its secret was created on first use, and an independent
    // implementation of Standard Webhooks accepts the signature made with it.
    const secret = await signingSecret(h.models);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(verifies(secret, request?.body ?? '', request?.headers ?? {})).toBe(true);
    expect(verifies(newSigningSecret(), request?.body ?? '', request?.headers ?? {})).toBe(false);
    expect(verifies(secret, `${request?.body} `, request?.headers ?? {})).toBe(false);
  });

  it("builds each attempt from the schedule's snapshot, not the stored schedule; dispatched ahead of its instant", async () => {
    const r = await receiver();
    r.respond = (_q, i) => (i === 0 ? { status: 500 } : { status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: `${r.url}/stored` });
    // The snapshot the planner stores names another path than the stored document, only to show
    // which one is used: the worker reads no schedule from the database, for a first attempt or a retry.
    const event = await planEvent(h.lane, { ...schedule, callback_url: `${r.url}/snapshot` }, { inMs: 2500 });

    const done = await archived(h.models, event);
    expect(r.requests.map((q) => q.path)).toEqual(['/snapshot', '/snapshot']);
    expect(done.history.map((x) => x.status)).toEqual([
      'scheduled',
      'dispatched',
      'delivering',
      'retry_scheduled',
      'dispatched',
      'delivering',
      'succeeded',
    ]);
    // The dispatcher handed the first attempt over ahead of its instant (dispatcher.lead_ms), and
    // the worker held it until then.
    const [, dispatched, delivering] = done.history;
    expect(dispatched!.time.getTime()).toBeLessThan(event.occurrence_at.getTime());
    expect(delivering!.time.getTime()).toBeGreaterThanOrEqual(event.occurrence_at.getTime());
  });

  it('retries a 500 after a backoff and succeeds, with the same idempotency key', async () => {
    const r = await receiver();
    r.respond = (_q, i) => (i === 0 ? { status: 500, body: 'boom' } : { status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: r.url });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => [a.number, a.status_code, a.error_kind])).toEqual([
      [1, 500, 'http_status'],
      [2, 200, null],
    ]);
    expect(done.attempts[0]?.response_snippet).toBe('boom');
    expect(done.history.map((x) => x.status)).toEqual([
      'scheduled',
      'dispatched',
      'delivering',
      'retry_scheduled',
      'dispatched',
      'delivering',
      'succeeded',
    ]);
    const keys = r.requests.map((q) => [q.headers['idempotency-key'], q.headers['webhook-id'], q.headers['x-attempt']]);
    expect(keys).toEqual([
      [event._id.toString(), event._id.toString(), '1'],
      [event._id.toString(), event._id.toString(), '2'],
    ]);
    // The retry waited on the timeline at least the minimum backoff (a lower bound, not a timing race).
    console.log('500-then-success: gap between attempts (ms)', gaps(r));
    expect(gaps(r)[0]).toBeGreaterThanOrEqual(45);
  });

  it('fails a 404 at once, without retrying', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 404, body: 'no such hook' });
    const schedule = await createSchedule(h.models, { callback_url: r.url });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ status_code: 404, error_kind: 'http_status', error_message: 'HTTP 404' });
    expect(done.history.at(-1)?.message).toBe('failed on attempt 1: HTTP 404');
    await sleep(400);
    expect(r.requests).toHaveLength(1);
  });

  it('times out a slow receiver after timeout_ms, retries, then fails', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, delayMs: 3000 });
    const schedule = await createSchedule(h.models, {
      callback_url: r.url,
      timeout_ms: 300,
      retry_policy: { max_attempts: 2, min_backoff_ms: 50, max_backoff_ms: 100 },
    });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event);
    expect(done.status).toBe('failed');
    expect(done.attempts.map((a) => [a.status_code, a.error_kind])).toEqual([
      [null, 'timeout'],
      [null, 'timeout'],
    ]);
    console.log(
      'timeout: attempt durations (ms)',
      done.attempts.map((a) => a.duration_ms),
    );
    for (const a of done.attempts) expect(a.duration_ms).toBeGreaterThanOrEqual(290);
    expect(r.requests).toHaveLength(2);
  });

  it('retries a refused connection up to max_attempts, then fails', async () => {
    const port = await freePort();
    const schedule = await createSchedule(h.models, { callback_url: `http://127.0.0.1:${port}/` });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event);
    expect(done.status).toBe('failed');
    expect(done.attempts.map((a) => a.error_kind)).toEqual(['network', 'network', 'network']);
    expect(done.attempts[0]?.error_message).toContain('ECONNREFUSED');
    const starts = done.attempts.map((a) => a.started_at.getTime());
    console.log('connection refused: waits between attempts (ms)', [starts[1]! - starts[0]!, starts[2]! - starts[1]!]);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(45);
  });

  it('honours Retry-After on a 429', async () => {
    const r = await receiver();
    r.respond = (_q, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 });
    const schedule = await createSchedule(h.models, { callback_url: r.url });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => a.status_code)).toEqual([429, 204]);
    const retryEntry = done.history.find((x) => x.status === 'retry_scheduled');
    expect(retryEntry?.message).toMatch(/^attempt 1 failed \(HTTP 429\); next attempt at /);
    // Without Retry-After the wait would be at most max_backoff_ms (200 ms); it was about 1 s.
    console.log('429 Retry-After: 1 -> gap (ms)', gaps(r));
    expect(gaps(r)[0]).toBeGreaterThanOrEqual(950);
  });

  it('stops reading a slow-drip body at the cap and fails the occurrence', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, dripBytes: 1024 * 1024, dripEveryMs: 2 });
    const schedule = await createSchedule(h.models, { callback_url: r.url, timeout_ms: 30_000 });
    const event = await planEvent(h.lane, schedule);

    const done = await archived(h.models, event, 30_000);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({
      status_code: 200,
      error_kind: 'response_too_large',
      error_message: 'response body exceeds 65536 bytes; stopped reading',
    });
    expect(done.attempts[0]?.response_snippet).toBe('x'.repeat(4096));
    console.log('slow drip: attempt duration (ms)', done.attempts[0]?.duration_ms);
  });

  it('signs with the previous secret too while a rotation is under way', async () => {
    const tenant = 'tenant-rotating';
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    await h.models.tenants.create({
      _id: tenant,
      name: tenant,
      signing_secret: current,
      previous_signing_secret: previous,
      previous_expires_at: new Date(Date.now() + 3_600_000),
    });
    const r = await receiver();
    const schedule = await createSchedule(h.models, {
      tenant_id: tenant,
      callback_url: r.url,
      body: '{"custom":true}',
    });
    const event = await planEvent(h.lane, schedule);

    const [request] = await r.waitFor(1);
    expect(request?.body).toBe('{"custom":true}');
    expect(String(request?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(current, request?.body ?? '', request?.headers ?? {})).toBe(true);
    expect(verifies(previous, request?.body ?? '', request?.headers ?? {})).toBe(true);
    expect((await archived(h.models, event)).status).toBe('succeeded');
  });

  it('publishes delivery metrics', async () => {
    const text = await worker.registry.metrics();
    for (const outcome of ['succeeded', 'failed', 'retry_scheduled']) {
      expect(text).toMatch(new RegExp(`deliveries_total\\{outcome="${outcome}"\\} [1-9]`));
    }
    expect(text).toMatch(/delivery_attempt_duration_seconds_count\{result="success"\} [1-9]/);
    expect(text).toMatch(/delivery_lateness_seconds_count [1-9]/);
    expect(text).toContain('deliveries_in_flight 0');
  });
});
