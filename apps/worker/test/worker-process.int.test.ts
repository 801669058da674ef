/**
 * The built worker as its own process (apps/worker/dist/main.js): killed with SIGKILL in the
 * middle of a callback, and stopped with SIGTERM while callbacks are in flight.
 */

import { createQueues, type QueueSet } from '@event-scheduler/queues';
import { freePort, type Receiver, type ServiceProcess, spawnService, startReceiver } from '@event-scheduler/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  archived,
  createEvent,
  createSchedule,
  enqueueDelivery,
  type Harness,
  liveInStatus,
  openHarness,
} from './fixtures.js';

let h: Harness;
let queues: QueueSet;
let receiver: Receiver;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  h = await openHarness('worker-process');
  queues = createQueues({ connection: h.redis, prefix: h.services.queuePrefix });
  receiver = await startReceiver();
}, 60_000);

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
});

afterAll(async () => {
  await receiver.close();
  await queues.close();
  await h.close();
}, 60_000);

async function spawnWorker(extra: Record<string, string> = {}): Promise<{ service: ServiceProcess; port: number }> {
  const port = await freePort();
  const service = spawnService('worker', {
    ...h.services.env,
    WORKER_HEALTH_PORT: String(port),
    WORKER_SSRF_ALLOW_LIST: '127.0.0.1',
    // Stall detection in about a second instead of 30 s: a dead worker's lock expires after
    // 1.5 s (it is renewed every 0.75 s while the worker lives), checked every 0.5 s.
    WORKER_LOCK_DURATION_MS: '1500',
    WORKER_STALLED_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
    ...extra,
  });
  processes.push(service);
  await service.waitForLine(/"msg":"started"/);
  return { service, port };
}

describe('the worker process', () => {
  it('SIGKILL mid-callback: the occurrence is delivered again with the same idempotency key and succeeds', async () => {
    receiver.requests.length = 0;
    receiver.respond = (_q, i) => (i === 0 ? { status: 200, delayMs: 5000 } : { status: 200, body: 'second time' });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url, timeout_ms: 20_000 });
    const event = await createEvent(h.models, schedule);

    const first = await spawnWorker();
    await enqueueDelivery(queues, event);
    await receiver.waitFor(1, 15_000);
    await liveInStatus(h.models, event, 'delivering');
    first.service.child.kill('SIGKILL');
    expect(await first.service.exited).toBe('SIGKILL');
    const killedAt = Date.now();

    await spawnWorker();
    const done = await archived(h.models, event, 30_000);
    console.log('SIGKILL: redelivered after (ms)', Math.round(receiver.requests[1]!.arrivedAt - killedAt));
    expect(done.status).toBe('succeeded');
    const [a, b] = receiver.requests;
    expect(receiver.requests).toHaveLength(2);
    expect(b?.headers['idempotency-key']).toBe(a?.headers['idempotency-key']);
    expect(b?.headers['webhook-id']).toBe(event._id.toString());
    expect([a?.headers['x-attempt'], b?.headers['x-attempt']]).toEqual(['1', '2']);
    // The attempt that died with the worker is on record too.
    expect(done.attempts.map((x) => [x.number, x.error_kind, x.status_code])).toEqual([
      [1, 'worker_lost', null],
      [2, null, 200],
    ]);
    expect(done.attempts[1]?.response_snippet).toBe('second time');
  }, 60_000);

  it('SIGTERM finishes the callbacks in flight, then exits 0; /metrics reports deliveries', async () => {
    receiver.requests.length = 0;
    receiver.respond = () => ({ status: 200, delayMs: 1500 });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url });
    const events = [];
    for (let i = 0; i < 3; i++) events.push(await createEvent(h.models, schedule));

    const { service, port } = await spawnWorker({ SHUTDOWN_TIMEOUT_SECONDS: '15' });
    await Promise.all(events.map((e) => enqueueDelivery(queues, e)));
    await receiver.waitFor(3, 15_000);
    const inFlight = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(inFlight).toMatch(/deliveries_in_flight\{service="worker"\} 3/);

    const stoppedAt = Date.now();
    expect(await service.stop('SIGTERM')).toBe(0);
    console.log('SIGTERM: exit after (ms)', Date.now() - stoppedAt);
    const done = await Promise.all(events.map((e) => archived(h.models, e, 5000)));
    expect(done.map((d) => [d.status, d.attempts.length])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect(service.lines.join('\n')).toMatch(/"step":"worker".*"msg":"shutdown step finished"/);
    expect(receiver.requests).toHaveLength(3);
  }, 60_000);

  it('SIGTERM past the drain deadline aborts the callback, records it and still exits 0', async () => {
    receiver.requests.length = 0;
    receiver.respond = (_q, i) => (i === 0 ? { status: 200, delayMs: 6000 } : { status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url, timeout_ms: 20_000 });
    const event = await createEvent(h.models, schedule);

    // 3 s of shutdown: callbacks get 2 s to finish, the last second is for recording and closing.
    const { service } = await spawnWorker({ SHUTDOWN_TIMEOUT_SECONDS: '3' });
    await enqueueDelivery(queues, event);
    await receiver.waitFor(1, 15_000);
    const stoppedAt = Date.now();
    expect(await service.stop('SIGTERM')).toBe(0);
    console.log('SIGTERM past the deadline: exit after (ms)', Date.now() - stoppedAt);
    const waiting = await liveInStatus(h.models, event, 'retry_scheduled');
    expect(waiting.attempts.map((a) => a.error_kind)).toEqual(['aborted']);

    await spawnWorker();
    const done = await archived(h.models, event, 15_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => [a.error_kind, a.status_code])).toEqual([
      ['aborted', null],
      [null, 200],
    ]);
  }, 60_000);

  it('publishes the delivery metrics on /metrics', async () => {
    receiver.respond = () => ({ status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url });
    const { port } = await spawnWorker();
    const event = await createEvent(h.models, schedule, { occurrence_at: new Date(Date.now() - 50) });
    await enqueueDelivery(queues, event);
    await archived(h.models, event);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/deliveries_total\{[^}]*outcome="succeeded"[^}]*\} 1/);
    expect(text).toMatch(/delivery_attempt_duration_seconds_count\{[^}]*result="success"[^}]*\} 1/);
    expect(text).toMatch(/delivery_lateness_seconds_count\{service="worker"\} 1/);
    expect(text).toMatch(/deliveries_in_flight\{service="worker"\} 0/);
    const lateness = Number(/delivery_lateness_seconds_sum\{service="worker"\} ([\d.e+-]+)/.exec(text)?.[1]);
    console.log('lateness of an occurrence enqueued 50 ms after it was due (s)', lateness);
    expect(lateness).toBeGreaterThan(0);
  }, 60_000);
});
