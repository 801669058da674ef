import type { Schedule } from '@event-scheduler/models';

/**
 * A complete stored schedule for seeding benchmarks through the driver's bulk insert (no API, no
 * mongoose documents): active, version 1, no cursor; `fields` sets what the benchmark cares about.
 */
export function benchScheduleDoc(
  fields: Pick<Schedule, 'rrule' | 'callback_url' | 'not_before' | 'next_run_at'> & Partial<Schedule>,
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
    consecutive_failures: 0,
    metadata: {},
    status: 'active',
    paused_reason: null,
    paused_at: null,
    version: 1,
    cursor: null,
    last_run_at: null,
    deleted_at: null,
    created_at: now,
    updated_at: now,
    ...fields,
  };
}
