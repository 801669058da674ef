import { insertNewEvents, newEventDoc } from '@event-scheduler/models';
import { dispatchItem, type PlanningDeps, planSchedule } from '@event-scheduler/planning';
import { enqueue, occurrenceJobId, QUEUE_NAMES } from '@event-scheduler/queues';
import { freePort, metricSum, type ServiceProcess, spawnService } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  everySeconds,
  type Harness,
  insertSchedule,
  jobIds,
  openHarness,
  serviceEnv,
} from '../../../packages/planning/test/fixtures.js';

jest.setTimeout(60_000);

const LEAD_MS = 1000;
let h: Harness;
let deps: PlanningDeps;
const running: ServiceProcess[] = [];

/** Health ports of the dispatchers started, for their /metrics. */
const healthPorts: number[] = [];

async function dispatcher(extra: Record<string, string> = {}) {
  const port = await freePort();
  healthPorts.push(port);
  const service = spawnService('dispatcher', {
    ...serviceEnv(h),
    DISPATCHER_HEALTH_PORT: String(port),
    DISPATCHER_LEAD_MS: String(LEAD_MS),
    DISPATCHER_CONCURRENCY: '200',
    DISPATCHER_LOCK_DURATION_MS: '2000',
    DISPATCHER_STALLED_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
    ...extra,
  });
  running.push(service);
  await service.waitForLine(/"msg":"dispatching"/);
  return service;
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nextSecond = (aheadMs: number) => new Date(Math.ceil((Date.now() + aheadMs) / 1000) * 1000);
const workerJobs = async (scheduleId: string) =>
  (await jobIds(h.queues, 'worker', ['waiting', 'delayed', 'active'])).filter((j) => j.startsWith(scheduleId));

beforeAll(async () => {
  h = await openHarness('dispatcher');
  deps = { models: h.models, queues: h.queues, log: h.log, windowMs: 60_000, leadMs: LEAD_MS };
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await h.close();
});

describe('dispatcher service', () => {
  it('releases each occurrence to worker_queue when due, once, with two dispatchers', async () => {
    await Promise.all([dispatcher(), dispatcher()]);
    const start = nextSecond(3000);
    const schedule = await insertSchedule(h.models, { rule: `${everySeconds(1, start)};COUNT=5` });
    await planSchedule(deps, schedule, new Date());
    const id = schedule._id.toHexString();
    await until(async () => (await workerJobs(id)).length === 5);
    const jobs = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        h.queues.queue(QUEUE_NAMES.worker).getJob(occurrenceJobId(id, new Date(start.getTime() + i * 1000))),
      ),
    );
    const lateness = jobs.map((j) => (j ? j.timestamp - Date.parse(j.data.occurrence_at) : Number.NaN));
    console.log(`hand-off lateness (ms after due, deliver job created): ${lateness.join(', ')}`);
    expect(lateness.every((ms) => Number.isFinite(ms))).toBe(true);
    // The release time travels with the job (the worker records `dispatched` with `delivering`);
    // the dispatcher itself writes nothing to the event.
    for (const job of jobs) {
      const releasedAt = Date.parse(job?.data.dispatched_at ?? '');
      expect(releasedAt).toBeGreaterThanOrEqual(Date.parse(job?.data.occurrence_at ?? ''));
    }
    const events = await h.models.events.find({ schedule_id: schedule._id }).lean();
    expect(events.map((e) => e.history.map((x) => x.status))).toEqual(Array(5).fill(['scheduled']));
    // Both dispatchers' /metrics: five dispatched in all, each with its hand-off lateness.
    const metric = (prefix: string) => metricSum(healthPorts.slice(0, 2), prefix);
    expect(await metric('dispatch_jobs_total{outcome="dispatched"')).toBe(5);
    expect(await metric('dispatch_handoff_lateness_seconds_count')).toBe(5);
    expect(await metric('db_commands_total{command="find"')).toBeGreaterThanOrEqual(5);
  });

  it('drops occurrences of a paused schedule, or of an older version, but not a manual trigger', async () => {
    const start = nextSecond(2000);
    const changed = await insertSchedule(h.models, { rule: `${everySeconds(1, start)};COUNT=2` });
    const paused = await insertSchedule(h.models, { rule: `${everySeconds(1, start)};COUNT=2` });
    await planSchedule(deps, changed, new Date());
    await planSchedule(deps, paused, new Date());
    // Version bumped and status changed without cancelling: the dispatcher's check is the second guard.
    await h.models.schedules.updateOne({ _id: changed._id }, { $set: { version: 2 } });
    await h.models.schedules.updateOne({ _id: paused._id }, { $set: { version: 2, status: 'paused' } });
    // A manual trigger planned under version 1 still goes (it is not tied to the rule).
    const [manual] = await insertNewEvents(h.models, [
      newEventDoc(changed, new Date(start.getTime() + 500), 'manual', new Date(), 'triggered manually'),
    ]);
    if (!manual) throw new Error('manual event not inserted');
    await enqueue(h.queues, 'dispatch', [dispatchItem(manual, new Date(), 0)]);
    await until(
      async () =>
        (await h.models.archivedEvents.countDocuments({ schedule_id: { $in: [changed._id, paused._id] } })) === 4,
    );
    const archived = await h.models.archivedEvents.find({ schedule_id: { $in: [changed._id, paused._id] } }).lean();
    expect(archived.map((e) => `${e.status}: ${e.history.at(-1)?.message}`).sort()).toEqual([
      'cancelled: schedule changed',
      'cancelled: schedule changed',
      'cancelled: schedule paused',
      'cancelled: schedule paused',
    ]);
    await until(async () => (await workerJobs(changed._id.toHexString())).length > 0);
    expect(await workerJobs(changed._id.toHexString())).toEqual([
      occurrenceJobId(changed._id.toHexString(), manual.occurrence_at),
    ]);
    expect(await workerJobs(paused._id.toHexString())).toEqual([]);
  });

  it('applies the misfire policy to jobs that arrive after their grace', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const past = [45, 40, 35, 30, 25, 20, 15].map((s) => new Date(now.getTime() - s * 1000));
    const outcome: Record<string, { fired: number[]; skipped: number[] }> = {};
    for (const misfire of ['skip', 'fire_once', 'fire_all'] as const) {
      const schedule = await insertSchedule(h.models, {
        rule: everySeconds(5, past[0] as Date),
        misfire,
        graceSeconds: 12,
        notBefore: new Date(now.getTime() - 3600_000),
        nextRunAt: null,
      });
      // Jobs that waited through a dispatcher outage: all of them late by more than the grace.
      const events = await insertNewEvents(
        h.models,
        past.map((at) => newEventDoc(schedule, at, 'rule', now, 'planned')),
      );
      await enqueue(
        h.queues,
        'dispatch',
        events.map((e) => dispatchItem(e, new Date(), LEAD_MS)),
      );
      const id = schedule._id.toHexString();
      // Every job decided: handed to worker_queue (the event stays `scheduled` until a worker
      // takes it) or archived as skipped.
      await until(
        async () =>
          (await workerJobs(id)).length +
            (await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id, status: 'skipped' })) ===
          past.length,
      );
      const rel = (d: Date) => Math.round((d.getTime() - now.getTime()) / 1000);
      const skipped = await h.models.archivedEvents.find({ schedule_id: schedule._id, status: 'skipped' }).lean();
      const fired = await workerJobs(id);
      outcome[misfire] = {
        fired: fired.map((j) => rel(new Date(Number(j.split('-')[1])))).sort((a, b) => a - b),
        skipped: skipped.map((e) => rel(e.occurrence_at)).sort((a, b) => a - b),
      };
    }
    expect(outcome.skip).toEqual({ fired: [], skipped: [-45, -40, -35, -30, -25, -20, -15] });
    // fire_once: -15 is the latest missed (the rule's next, -10, is within the 12 s grace).
    expect(outcome.fire_once).toEqual({ fired: [-15], skipped: [-45, -40, -35, -30, -25, -20] });
    expect(outcome.fire_all).toEqual({ fired: [-45, -40, -35, -30, -25, -20, -15], skipped: [] });
  });

  it('loses nothing when a dispatcher holding jobs is killed (SIGKILL)', async () => {
    await Promise.all(running.map((s) => s.stop()));
    const victim = await dispatcher({ DISPATCHER_LEAD_MS: '4000' });
    const start = nextSecond(2500);
    const schedule = await insertSchedule(h.models, { rule: `${everySeconds(1, start)};COUNT=3` });
    await planSchedule({ ...deps, leadMs: 4000 }, schedule, new Date());
    const ready = h.queues.queue(QUEUE_NAMES.ready);
    await until(async () => (await ready.getActiveCount()) === 3, 10_000);
    await victim.stop('SIGKILL');
    await dispatcher();
    const id = schedule._id.toHexString();
    await until(async () => (await workerJobs(id)).length === 3, 30_000);
    expect(await workerJobs(id)).toEqual(
      [0, 1, 2].map((i) => occurrenceJobId(id, new Date(start.getTime() + i * 1000))).sort(),
    );
    expect(await ready.getJobCounts('active', 'waiting', 'delayed', 'failed')).toEqual({
      active: 0,
      waiting: 0,
      delayed: 0,
      failed: 0,
    });
  });
});
