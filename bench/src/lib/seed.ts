import type { Schedule, SchedulePlan } from '@event-scheduler/models';
import type { Types } from 'mongoose';

/**
 * A complete stored schedule for seeding benchmarks through the driver's bulk insert (no API, no
 * mongoose documents): active, version 1; `fields` sets what the benchmark cares about.
 */
export function benchScheduleDoc(
  fields: Pick<Schedule, 'rrule' | 'callback_url' | 'not_before'> & Partial<Schedule>,
  now = new Date(),
): Schedule {
  return {
    tenant_id: 'bench',
    name: 'bench',
    timezone: 'UTC',
    method: 'POST',
    headers_json: null,
    body: null,
    timeout_ms: 10_000,
    retry_policy: { max_attempts: 3, min_backoff_ms: 1000, max_backoff_ms: 60_000 },
    misfire_policy: 'fire_once',
    misfire_grace_seconds: 60,
    overlap_policy: 'allow',
    max_consecutive_failures: 0,
    metadata: {},
    status: 'active',
    paused_reason: null,
    paused_at: null,
    version: 1,
    deleted_at: null,
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

/** The plan of a seeded schedule (version 1, nothing planned yet, next run at `nextRunAt`). */
export function benchPlanDoc(
  schedule: { _id: Types.ObjectId; tenant_id: string },
  nextRunAt: Date,
  now = new Date(),
): SchedulePlan {
  return {
    _id: `${schedule._id.toHexString()}:1`,
    tenant_id: schedule.tenant_id,
    schedule_id: schedule._id,
    version: 1,
    cursor: null,
    next_run_at: nextRunAt,
    created_at: now,
    updated_at: now,
  };
}
