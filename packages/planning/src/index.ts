/**
 * The one shared code path that turns schedules into events + ready_queue jobs and takes them
 * back. The prequeuer's tick, the API (create/update/resume/pause/delete/trigger/backfill) and the
 * worker (auto-pause) all call these, so there is one way to plan and one way to unplan.
 * README.md states the invariants.
 */
import { planSchedules } from './plan.js';
import type { PlanningDeps, PlanOutcome, ScheduleWithId } from './types.js';

export { cancelPlannedEvents } from './cancel.js';
export type { ComputedPlan, ComputeOptions } from './compute.js';
export { compileStoredRule, computePlan } from './compute.js';
export { addExtraEvents } from './extra.js';
export { dispatchItem, eventJobId, occurrencePayload, removeJobs } from './jobs.js';
export type { Fate } from './misfire.js';
export { isMissed, lateJobFate, misfireFates } from './misfire.js';
export { planSchedules } from './plan.js';
export type { ReconcileDeps, ReconcileOutcome } from './reconcile.js';
export { reconcile } from './reconcile.js';
export type { TickDeps, TickOutcome } from './tick.js';
export { planningTick } from './tick.js';
export type { PlanningDeps, PlanOutcome, ScheduleWithId } from './types.js';

/**
 * Plans one active schedule's occurrences in (cursor, now + windowMs] after its `not_before`:
 * inserts the events (unique on schedule + instant, so concurrent planners cannot duplicate), adds
 * their ready_queue jobs in one addBulk (ids from occurrenceJobId), then advances cursor and
 * next_run_at conditionally on the old cursor and version. Missed occurrences (older than the
 * misfire grace) follow the schedule's misfire policy. Idempotent; safe to call from the API right
 * after a create, update or resume so an occurrence 2 s away fires on time. A paused, completed or
 * deleted schedule plans nothing.
 */
export async function planSchedule(deps: PlanningDeps, schedule: ScheduleWithId, now: Date): Promise<PlanOutcome> {
  const [outcome] = await planSchedules(deps, [schedule], now);
  return { planned: outcome?.planned ?? 0, completed: outcome?.completed ?? false };
}
