/**
 * At the due instant, only the send (issue 11): the database commands the worker starts while it
 * takes a batch of first attempts, holds it and writes its requests, seen through the driver's
 * command monitoring (what `db_commands_total` counts), against when each request was written
 * to its connection (the sender's `writtenAt`). Both clocks are `performance.timeOrigin +
 * performance.now()` in this process.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import {
  archived,
  createSchedule,
  eventually,
  type Harness,
  openHarness,
  planEvent,
  planEvents,
  receiversClosedAfterEach,
  TENANT,
} from './fixtures.js';
import { type InProcessWorker, startWorker } from './worker-harness.js';

let h: Harness;
let worker: InProcessWorker;
const receiver = receiversClosedAfterEach();

// Generous: the machine is shared and noisy; nothing here asserts how long a step takes.
jest.setTimeout(30_000);

beforeAll(async () => {
  h = await openHarness('worker-hot-path');
  // Secrets kept a minute rather than 5 s: the first test warms them, as a running worker has them.
  worker = await startWorker(h, { allowList: '127.0.0.1', secretTtlMs: 60_000 });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

it('sends no database command between taking a batch of first attempts and writing the requests; a success reads nothing', async () => {
  const r = await receiver();
  // Answers come after every request of the batch is written, so no outcome is being recorded
  // while the batch's sends wait for their instants.
  r.respond = () => ({ status: 200, delayMs: 3000 });
  const schedule = await createSchedule(h.models, { callback_url: r.url });
  // A worker keeps each tenant's signing secrets a while (one read per tenant every few seconds,
  // not per occurrence); a worker that has been running has them, as this one now does.
  await worker.secrets.secretsFor(TENANT, new Date());
  const commandsBefore = worker.commands.length;
  const batchesBefore = worker.batchesStarted.length;

  // Six first attempts in one due second: three a millisecond apart, three 400 ms later.
  const second = Math.ceil((Date.now() + 1000) / 1000) * 1000;
  const instants = [100, 101, 102, 500, 501, 502].map((ms) => new Date(second + ms));
  const events = await planEvents(h.lane, schedule, instants);
  const done = await Promise.all(events.map((e) => archived(h.models, e)));
  expect(done.map((d) => [d.status, d.attempts.length])).toEqual(events.map(() => ['succeeded', 1]));

  const ids = new Set(events.map((e) => e._id.toHexString()));
  const writes = worker.writes.filter((w) => ids.has(w.eventId));
  expect(writes.map((w) => w.attempt)).toEqual(events.map(() => '1'));
  expect(worker.batchesStarted.length).toBeGreaterThan(batchesBefore);
  const takenAt = worker.batchesStarted[batchesBefore]!;
  const lastWrite = Math.max(...writes.map((w) => w.writtenAt));
  const commands = worker.commands.slice(commandsBefore);
  const show = (list: typeof commands) => list.map((c) => `${c.name} ${c.collection ?? ''} at ${c.at.toFixed(1)}`);

  // From the moment the worker took the batch until its last request was written: no command
  // (so none between any send's timer and its write either).
  expect(show(commands.filter((c) => c.at >= takenAt && c.at <= lastWrite))).toEqual([]);
  for (const w of writes) {
    const dueAt = events.find((e) => e._id.toHexString() === w.eventId)!.occurrence_at.getTime();
    expect(show(commands.filter((c) => c.at >= dueAt && c.at <= w.writtenAt))).toEqual([]);
  }
  // All the database saw of these six successes: archive inserts, batched; no read, no update.
  expect(show(commands.filter((c) => c.name !== 'insert' || c.collection !== 'archived_events'))).toEqual([]);
  console.log('database commands for 6 successful first attempts:', show(commands));
  expect(commands.length).toBeGreaterThan(0);
  expect(commands.length).toBeLessThanOrEqual(events.length);
});

it("reads a tenant's signing secrets once for a whole batch, even the first time", async () => {
  const r = await receiver();
  const tenant = 'tenant-hot-path-cold';
  const schedule = await createSchedule(h.models, { callback_url: r.url, tenant_id: tenant });
  const commandsBefore = worker.commands.length;
  const at = Date.now() + 1000;
  const events = await planEvents(
    h.lane,
    schedule,
    Array.from({ length: 6 }, (_, i) => new Date(at + i)),
  );
  await Promise.all(events.map((e) => archived(h.models, e)));
  // The tenant did not exist: one lookup, one creation, one read back, whatever the batch's size.
  const tenantCommands = worker.commands.slice(commandsBefore).filter((c) => c.collection === 'tenants');
  expect(tenantCommands.map((c) => c.name)).toEqual(['find', 'insert', 'find']);
});

it('a retry costs the database one statement, its record; its attempt reads nothing unless Redis lost what it carries', async () => {
  const r = await receiver();
  // Two failures, then success: attempt 2 runs on what attempt 1's retry carried in Redis;
  // before attempt 3, what attempt 2's retry carried is deleted (as Redis losing it would), so
  // attempt 3 reads the live event instead, and the record comes out the same.
  r.respond = (_q, i) => (i < 2 ? { status: 500, body: `boom ${i}` } : { status: 200 });
  const schedule = await createSchedule(h.models, {
    callback_url: r.url,
    // Retries due 4 s later: a send reaches the worker 1.5 s before its instant (lead_ms), so the
    // test has time to delete a carry before the attempt that would read it is opened.
    retry_policy: { max_attempts: 3, min_backoff_ms: 4000, max_backoff_ms: 4000 },
  });
  const commandsBefore = worker.commands.length;
  const event = await planEvent(h.lane, schedule);
  const id = event._id.toHexString();
  const carryKey = h.engine.keys.carry(schedule._id.toHexString(), id);
  await eventually('the first retry to be planned', async () => (await h.redis.exists(carryKey)) === 1);
  // The events' collections only (a tenant's signing secrets are read now and then, not per send).
  const eventCommands = () =>
    worker.commands
      .slice(commandsBefore)
      .filter((c) => c.collection === 'events' || c.collection === 'archived_events')
      .map((c) => `${c.name} ${c.collection}`);
  const afterFirstRetry = eventCommands();
  await eventually('the second retry to be recorded', async () => {
    const live = await h.models.events.findById(event._id).lean();
    return live?.attempts.length === 2 && (await h.redis.exists(carryKey)) === 1;
  });
  await h.redis.del(carryKey);
  const done = await archived(h.models, event);

  // Attempt 1 failed: one update of the live event, nothing read.
  expect(afterFirstRetry).toEqual(['update events']);
  const commands = eventCommands();
  // Attempt 2 (on its carry) failed: one more update. Attempt 3 had no carry: one read of the
  // live event. Its success: one archive insert.
  expect(commands).toEqual(['update events', 'update events', 'find events', 'insert archived_events']);
  expect(done.status).toBe('succeeded');
  expect(done.attempts.map((a) => [a.number, a.status_code, a.response_snippet])).toEqual([
    [1, 500, 'boom 0'],
    [2, 500, 'boom 1'],
    [3, 200, null],
  ]);
  expect(done.history.map((x) => x.status)).toEqual([
    'scheduled',
    ...Array(2).fill(['dispatched', 'delivering', 'retry_scheduled']).flat(),
    'dispatched',
    'delivering',
    'succeeded',
  ]);
  expect(r.requests.map((q) => q.headers['x-attempt'])).toEqual(['1', '2', '3']);
  expect(await h.redis.exists(carryKey)).toBe(0);
});
