/**
 * CONTRACT (being implemented by the planning work; signatures are fixed, bodies are not yet).
 * The one shared code path that turns schedules into events + ready_queue jobs and takes them
 * back. The prequeuer's tick, the API (create/update/resume/pause/delete/trigger/backfill) and the
 * worker (auto-pause) all call these, so there is one way to plan and one way to unplan.
 */
import type { Logger } from '@event-scheduler/logging';
import type { EventKind, Models, Schedule } from '@event-scheduler/models';
import type { QueueSet } from '@event-scheduler/queues';
import type { RuleLimits } from '@event-scheduler/scheduling';
import type { Types } from 'mongoose';

export interface PlanningDeps {
  models: Pick<Models, 'schedules' | 'events'>;
  queues: QueueSet;
  log: Logger;
  /** How far ahead occurrences are planned (prequeuer.event_timeframe_minutes, in ms). */
  windowMs: number;
  /** How long before an occurrence is due the dispatcher takes it (its ready_queue delay is due - leadMs). */
  leadMs: number;
  /** Rule limits (minimum interval etc.); default the scheduling package's DEFAULT_LIMITS. */
  limits?: Partial<RuleLimits>;
}

export type ScheduleWithId = Schedule & { _id: Types.ObjectId };

export interface PlanOutcome {
  /** Occurrences turned into events by this call (0 when another planner got there first). */
  planned: number;
  /** True when the rule is used up and the schedule was marked `completed`. */
  completed: boolean;
}

/**
 * Plans one active schedule's occurrences in (cursor, now + windowMs]: inserts the events (unique
 * on schedule + instant, so concurrent planners cannot duplicate), adds their ready_queue jobs in
 * one addBulk (ids from occurrenceJobId), then advances cursor and next_run_at with a
 * compare-and-set on the old cursor and version. Idempotent; safe to call from the API right
 * after a create, update or resume so an occurrence 2 s away fires on time.
 */
export declare function planSchedule(deps: PlanningDeps, schedule: ScheduleWithId, now: Date): Promise<PlanOutcome>;

/**
 * Cancels every not-yet-delivered event of the schedule planned under a version older than
 * `schedule.version` (all of them when the schedule is paused or deleted), records them as
 * `cancelled` with `reason`, and removes their jobs from ready_queue (and worker_queue when not
 * yet active) before returning. Returns how many were cancelled.
 */
export declare function cancelPlannedEvents(
  deps: Pick<PlanningDeps, 'models' | 'queues' | 'log'>,
  schedule: ScheduleWithId,
  reason: string,
  now: Date,
): Promise<number>;

/**
 * Adds one extra event now (`manual`, from POST .../trigger) or past occurrences (`backfill`,
 * paced `paceMs` apart), recorded like any other and sent through the dispatcher.
 */
export declare function addExtraEvents(
  deps: Pick<PlanningDeps, 'models' | 'queues' | 'log'>,
  schedule: ScheduleWithId,
  occurrences: Date[],
  kind: Exclude<EventKind, 'rule'>,
  options: { now: Date; paceMs?: number },
): Promise<{ eventIds: string[] }>;
