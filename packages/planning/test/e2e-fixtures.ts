import { compileRule } from '@event-scheduler/scheduling';
import { freePort, type Receiver, type ServiceProcess, spawnService } from '@event-scheduler/testing';
import { cancelPlannedEvents, type PlanningDeps, planSchedule, type ScheduleWithId } from '../src/index.js';
import { type Harness, reload, serviceEnv } from './fixtures.js';

export type Role = 'prequeuer' | 'dispatcher' | 'worker';

/** Starts one built service against the harness's database and queue prefix, with test timings. */
export async function startService(
  h: Harness,
  role: Role,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = String(await freePort());
  const env: Record<string, string> = {
    ...serviceEnv(h),
    LOG_LEVEL: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
    DISPATCHER_LEAD_MS: '1000',
    ...(role === 'prequeuer'
      ? {
          PREQUEUER_HEALTH_PORT: port,
          PREQUEUER_TICKER_INTERVAL_SECONDS: '1',
          PREQUEUER_EVENT_TIMEFRAME_MINUTES: '1',
          PREQUEUER_RECONCILE_INTERVAL_SECONDS: '2',
          // Production-like; the FLUSHALL test lowers it to re-add lost worker jobs quickly.
          PREQUEUER_RECONCILE_DISPATCHED_AFTER_SECONDS: '120',
        }
      : {}),
    ...(role === 'dispatcher'
      ? {
          DISPATCHER_HEALTH_PORT: port,
          DISPATCHER_CONCURRENCY: '1000',
          DISPATCHER_LOCK_DURATION_MS: '2000',
          DISPATCHER_STALLED_INTERVAL_MS: '1000',
        }
      : {}),
    ...(role === 'worker'
      ? {
          WORKER_HEALTH_PORT: port,
          WORKER_COUNT: '50',
          WORKER_SSRF_ALLOW_LIST: '127.0.0.1/32,::1/128',
        }
      : {}),
    ...extra,
  };
  const service = spawnService(role, env);
  // /readyz answers once Mongo and Redis do; intake starts right after.
  await waitHealthy(Number(port));
  return service;
}

async function waitHealthy(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service on ${port} not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One delivery as the receiver saw it. */
export interface Delivery {
  scheduleId: string;
  scheduledAt: number;
  eventId: string;
  arrivedAt: number;
  path: string;
}

export function deliveries(receiver: Receiver): Delivery[] {
  return receiver.requests.map((r) => {
    const body = JSON.parse(r.body) as { schedule_id: string; scheduled_at: string };
    return {
      scheduleId: body.schedule_id,
      scheduledAt: Date.parse(body.scheduled_at),
      eventId: String(r.headers['webhook-id']),
      arrivedAt: r.arrivedAt,
      path: r.path,
    };
  });
}

/** Occurrence instants delivered more than once (by webhook-id). */
export function duplicates(list: Delivery[]): string[] {
  const seen = new Map<string, number>();
  for (const d of list)
    seen.set(`${d.scheduleId}@${d.scheduledAt}`, (seen.get(`${d.scheduleId}@${d.scheduledAt}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
}

export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the API does on update, pause, resume and delete (apps/api schedule.service): a new
 * version, planning restarted from now, planned events of the old version cancelled (awaited),
 * then the schedule planned again at once.
 */
export async function changeSchedule(
  h: Harness,
  deps: PlanningDeps,
  schedule: ScheduleWithId,
  change: { status?: 'active' | 'paused'; callbackUrl?: string; rule?: string; deleted?: boolean },
): Promise<ScheduleWithId> {
  const now = new Date();
  const current = await reload(h.models, schedule);
  const rule = change.rule ?? current.rrule;
  const compiled = compileRule({ text: rule, timezone: 'UTC', now }, { minIntervalSeconds: 1 });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  await h.models.schedules.updateOne(
    { _id: current._id },
    {
      $set: {
        version: current.version + 1,
        cursor: null,
        not_before: now,
        rrule: compiled.rule.text,
        next_run_at: change.deleted || change.status === 'paused' ? null : compiled.rule.next(now),
        ...(change.status ? { status: change.status } : {}),
        ...(change.callbackUrl ? { callback_url: change.callbackUrl } : {}),
        ...(change.deleted ? { deleted_at: now } : {}),
      },
    },
  );
  const updated = await reload(h.models, schedule);
  await cancelPlannedEvents(deps, updated, 'schedule changed', now);
  await planSchedule(deps, updated, now);
  return updated;
}
