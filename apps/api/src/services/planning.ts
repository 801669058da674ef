import type { Logger } from '@event-scheduler/logging';
import type { EventKind, ScheduleRecord } from '@event-scheduler/models';
import {
  addExtraEvents,
  cancelPlannedEvents,
  type PlanningDeps,
  type PlanOutcome,
  planSchedule,
} from '@event-scheduler/planning';

/** What the API asks of the shared planning code, already bound to its dependencies. */
export interface PlanningPort {
  plan(schedule: ScheduleRecord, now: Date): Promise<PlanOutcome>;
  cancel(schedule: ScheduleRecord, reason: string, now: Date): Promise<number>;
  addExtra(
    schedule: ScheduleRecord,
    occurrences: Date[],
    kind: Exclude<EventKind, 'rule'>,
    options: { now: Date; paceMs?: number },
  ): Promise<{ eventIds: string[] }>;
}

export function createPlanningPort(deps: PlanningDeps): PlanningPort {
  return {
    plan: (schedule, now) => planSchedule(deps, schedule, now),
    cancel: (schedule, reason, now) => cancelPlannedEvents(deps, schedule, reason, now),
    addExtra: (schedule, occurrences, kind, options) => addExtraEvents(deps, schedule, occurrences, kind, options),
  };
}

/**
 * Plans a schedule right after a change so a near occurrence fires on time. A failure (Redis
 * down, say) is logged and swallowed: the prequeuer's tick plans the schedule later anyway.
 */
export async function planSoon(port: PlanningPort, log: Logger, schedule: ScheduleRecord, now: Date): Promise<void> {
  if (schedule.status !== 'active' || schedule.deleted_at) return;
  try {
    await port.plan(schedule, now);
  } catch (error) {
    log.warn({ err: error, scheduleId: String(schedule._id) }, 'planning after a change failed; the tick will retry');
  }
}
