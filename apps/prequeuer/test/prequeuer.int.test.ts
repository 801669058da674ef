import { occurrenceJobId, QUEUE_NAMES } from '@event-scheduler/queues';
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

let h: Harness;
const running: ServiceProcess[] = [];

/** Health ports of the prequeuers started, for their /metrics. */
const healthPorts: number[] = [];

async function prequeuer(extra: Record<string, string> = {}) {
  const port = await freePort();
  healthPorts.push(port);
  const service = spawnService('prequeuer', {
    ...serviceEnv(h),
    PREQUEUER_HEALTH_PORT: String(port),
    PREQUEUER_TICKER_INTERVAL_SECONDS: '1',
    PREQUEUER_EVENT_TIMEFRAME_MINUTES: '1',
    PREQUEUER_RECONCILE_INTERVAL_SECONDS: '1',
    PREQUEUER_PURGE_INTERVAL_SECONDS: '1',
    DISPATCHER_LEAD_MS: '1000',
    LOG_LEVEL: 'info',
    ...extra,
  });
  running.push(service);
  await service.waitForLine(/"msg":"planning"/);
  return service;
}

/** Polls `check` until it returns true, for up to `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  h = await openHarness('prequeuer');
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await h.close();
});

describe('prequeuer service', () => {
  it('plans due schedules on its tick, twice over with two prequeuers, each occurrence once', async () => {
    await Promise.all([prequeuer(), prequeuer()]);
    const now = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000);
    const due = await insertSchedule(h.models, { rule: everySeconds(10, now), now });
    const later = await insertSchedule(h.models, { rule: everySeconds(10, new Date(now.getTime() + 3600_000)), now });
    const id = due._id.toHexString();
    // (not_before, now + 60 s] holds 7 occurrences; the window keeps moving, so at least that many.
    await until(async () => (await h.models.events.countDocuments({ schedule_id: due._id })) >= 7);
    await new Promise((r) => setTimeout(r, 2500)); // a few more ticks of both prequeuers
    const events = await h.models.events.find({ schedule_id: due._id }).lean();
    const times = events.map((e) => e.occurrence_at.getTime());
    expect(new Set(times).size).toBe(events.length);
    const jobs = (await jobIds(h.queues, 'ready', ['delayed', 'waiting'])).filter((j) => j.startsWith(id));
    expect(jobs.sort()).toEqual(events.map((e) => occurrenceJobId(id, e.occurrence_at)).sort());
    expect(await h.models.events.countDocuments({ schedule_id: later._id })).toBe(0);
    // What the two prequeuers report: every event they created, and the ticks that did it.
    expect(await metricSum(healthPorts, 'planned_events_total')).toBe(await h.models.events.countDocuments({}));
    expect(await metricSum(healthPorts, 'planning_tick_duration_seconds_count')).toBeGreaterThanOrEqual(2);
  });

  it('re-adds jobs lost from Redis (reconciliation)', async () => {
    const before = await jobIds(h.queues, 'ready');
    expect(before.length).toBeGreaterThan(0);
    await h.queues.queue(QUEUE_NAMES.ready).obliterate({ force: true });
    await until(async () => {
      const now = await jobIds(h.queues, 'ready');
      return before.every((id) => now.includes(id));
    });
    expect(await metricSum(healthPorts, 'reconciled_jobs_total{job="dispatch"')).toBeGreaterThanOrEqual(before.length);
  });

  it('purges archived events past their retention', async () => {
    const schedule = await insertSchedule(h.models, { rule: everySeconds(10, new Date()), nextRunAt: null });
    const old = new Date(Date.now() - 31 * 86_400_000);
    await h.models.archivedEvents.create({
      tenant_id: 'tenant-a',
      schedule_id: schedule._id,
      schedule_version: 1,
      occurrence_at: old,
      status: 'succeeded',
      archived_at: old,
    });
    await until(async () => (await h.models.archivedEvents.countDocuments({ schedule_id: schedule._id })) === 0);
  });

  it('stops cleanly on SIGTERM', async () => {
    const service = running[0];
    expect(await service?.stop('SIGTERM')).toBe(0);
  });
});
