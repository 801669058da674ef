/**
 * The built worker as its own process (apps/worker/dist/main.js), fed by the engine's dispatch
 * pass in this process: killed with SIGKILL in the middle of a callback, and stopped with
 * SIGTERM while callbacks are in flight. Starting a process is the slow part here, so a worker
 * with the default settings that survives a test serves the next one (`runningWorker`).
 */

import {
  freePort,
  metricSum,
  type Receiver,
  type ServiceProcess,
  spawnService,
  startReceiver,
} from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  archived,
  createSchedule,
  eventually,
  type Harness,
  liveInStatus,
  openHarness,
  planEvent,
  planEvents,
} from './fixtures.js';

interface Spawned {
  service: ServiceProcess;
  port: number;
}

let h: Harness;
let receiver: Receiver;
const processes: ServiceProcess[] = [];
let standing: Spawned | undefined;

beforeAll(async () => {
  h = await openHarness('worker-process');
  receiver = await startReceiver();
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
  await receiver?.close();
  await h?.close();
}, 60_000);

async function spawnWorker(extra: Record<string, string> = {}): Promise<Spawned> {
  const port = await freePort();
  const service = spawnService('worker', {
    ...h.services.env,
    WORKER_HEALTH_PORT: String(port),
    WORKER_SSRF_ALLOW_LIST: '127.0.0.1',
    // Stall detection in about a second instead of several: a dead worker's lock expires after
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

const alive = (w: Spawned) => w.service.child.exitCode === null && w.service.child.signalCode === null;

/** The worker with default settings that is running, started if none is. */
async function runningWorker(): Promise<Spawned> {
  if (!standing || !alive(standing)) standing = await spawnWorker();
  return standing;
}

/** One series of a worker's /metrics: the first line of `name` whose labels include `label`. */
async function metric(port: number, name: string, label = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe('the worker process', () => {
  it('a callback re-sent after the worker was SIGKILLed mid-delivery is attempt 2, and both attempts are on record (issue 15, defect 5)', async () => {
    receiver.requests.length = 0;
    const schedule = await createSchedule(h.models, { callback_url: receiver.url, timeout_ms: 20_000 });
    const first = await runningWorker();
    // Killed the moment its request arrives: nothing the worker might have written after
    // sending it (or while sending it) can have been relied on.
    receiver.respond = (_q, i) => {
      if (i > 0) return { status: 200, body: 'second time' };
      first.service.child.kill('SIGKILL');
      return { status: 200, delayMs: 5000 };
    };
    const event = await planEvent(h.lane, schedule);
    await receiver.waitFor(1, 15_000);
    expect(await first.service.exited).toBe('SIGKILL');

    await runningWorker();
    const done = await archived(h.models, event, 30_000);
    expect(receiver.requests).toHaveLength(2);
    const [a, b] = receiver.requests;
    expect([a?.headers['webhook-id'], b?.headers['webhook-id']]).toEqual([event._id.toString(), event._id.toString()]);
    expect(b?.headers['idempotency-key']).toBe(a?.headers['idempotency-key']);
    expect([a?.headers['x-attempt'], b?.headers['x-attempt']]).toEqual(['1', '2']);
    expect(JSON.parse(b?.body ?? '{}').attempt).toBe(2);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((x) => [x.number, x.error_kind, x.status_code])).toEqual([
      [1, 'worker_lost', null],
      [2, null, 200],
    ]);
    expect(done.history.map((x) => x.status)).toEqual([
      'scheduled',
      'dispatched',
      'delivering',
      'retry_scheduled',
      'dispatched',
      'delivering',
      'succeeded',
    ]);
  }, 60_000);

  it('SIGKILL mid-callback: the occurrence is delivered again with the same idempotency key and succeeds', async () => {
    receiver.requests.length = 0;
    // The first answer never comes while the first worker lives (it is killed long before).
    receiver.respond = (_q, i) => (i === 0 ? { status: 200, delayMs: 30_000 } : { status: 200, body: 'second time' });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url, timeout_ms: 60_000 });

    const first = await runningWorker();
    const event = await planEvent(h.lane, schedule);
    await receiver.waitFor(1, 15_000);
    // The worker is in the middle of the callback: sent, waiting for the answer.
    await eventually(
      'the callback to be in flight',
      async () => (await metricSum([first.port], 'deliveries_in_flight')) === 1,
    );
    // A second worker is running when the first dies (the batch is the first one's until then).
    standing = await spawnWorker();
    first.service.child.kill('SIGKILL');
    expect(await first.service.exited).toBe('SIGKILL');
    const killedAt = Date.now();

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
    receiver.respond = () => ({ status: 200, delayMs: 4000 });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url });

    // The default shutdown deadline (25 s) leaves these callbacks all the time they need.
    const { service, port } = await runningWorker();
    const at = Date.now() + 300;
    const events = await planEvents(
      h.lane,
      schedule,
      [0, 1, 2].map((i) => new Date(at + i)),
    );
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
    expect(service.lines.join('\n')).toMatch(/"step":"workers".*"msg":"shutdown step finished"/);
    expect(receiver.requests).toHaveLength(3);
  }, 60_000);

  it('SIGTERM past the drain deadline aborts the callback, records it and still exits 0', async () => {
    receiver.requests.length = 0;
    receiver.respond = (_q, i) => (i === 0 ? { status: 200, delayMs: 6000 } : { status: 200 });
    const schedule = await createSchedule(h.models, { callback_url: receiver.url, timeout_ms: 20_000 });

    // 3 s of shutdown: callbacks get 2 s to finish, the last second is for recording and closing.
    // It is the only worker running, so the batch is its.
    if (standing && alive(standing)) await standing.service.stop('SIGTERM');
    const { service } = await spawnWorker({ SHUTDOWN_TIMEOUT_SECONDS: '3' });
    const event = await planEvent(h.lane, schedule);
    await receiver.waitFor(1, 15_000);
    const stoppedAt = Date.now();
    expect(await service.stop('SIGTERM')).toBe(0);
    console.log('SIGTERM past the deadline: exit after (ms)', Date.now() - stoppedAt);
    const waiting = await liveInStatus(h.models, event, 'retry_scheduled');
    expect(waiting.attempts.map((a) => a.error_kind)).toEqual(['aborted']);

    await runningWorker();
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
    const { port } = await runningWorker();
    const series = async () => ({
      succeeded: await metric(port, 'deliveries_total', 'outcome="succeeded"'),
      successes: await metric(port, 'delivery_attempt_duration_seconds_count', 'result="success"'),
      late: await metric(port, 'delivery_lateness_seconds_count'),
      lateness: await metric(port, 'delivery_lateness_seconds_sum'),
    });
    const before = await series();
    const event = await planEvent(h.lane, schedule, { at: new Date(Date.now() - 50) });
    await archived(h.models, event);
    const after = await series();
    expect([after.succeeded - before.succeeded, after.successes - before.successes, after.late - before.late]).toEqual([
      1, 1, 1,
    ]);
    expect(await metric(port, 'deliveries_in_flight')).toBe(0);
    const lateness = after.lateness - before.lateness;
    console.log('lateness of an occurrence planned 50 ms after it was due (s)', lateness);
    expect(lateness).toBeGreaterThan(0);
  }, 60_000);
});
