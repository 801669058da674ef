import {
  addExtraEvents,
  applyChange,
  type Engine,
  type OccurrenceKind,
  planNow,
  type RuntimeStore,
  type ScheduleRuntime,
  snapshotOf,
} from '@event-scheduler/engine';
import type { ScheduleRecord } from '@event-scheduler/models';

/** What the API asks of the occurrence engine, already bound to its dependencies. */
export interface PlanningPort {
  /**
   * A new schedule: its occurrences inside the window planned at once (the prequeuer starts its
   * plan for later ones). Never fails the create: if Redis is away, the tick plans it.
   */
  start(schedule: ScheduleRecord, now: Date): Promise<void>;
  /**
   * A stored change (update, pause, resume, delete): announced to dispatchers and workers, what
   * no longer applies cancelled, the new version planned. Awaited before the API answers.
   */
  change(schedule: ScheduleRecord, reason: string, now: Date): Promise<void>;
  /** A stored change that keeps the version (name, metadata, policies): its snapshot announced. */
  refresh(schedule: ScheduleRecord): Promise<void>;
  addExtra(
    schedule: ScheduleRecord,
    occurrences: Date[],
    kind: Exclude<OccurrenceKind, 'rule'>,
    options: { now: Date; paceMs?: number },
  ): Promise<{ eventIds: string[] }>;
  /** What workers learned of these schedules (last run, failure streak). */
  runtime(scheduleIds: string[]): Promise<Map<string, ScheduleRuntime>>;
}

export function createPlanningPort(engine: Engine, runtime: RuntimeStore): PlanningPort {
  return {
    start: (schedule, now) => planNow(engine, schedule, now, { first: true }),
    change: (schedule, reason, now) => applyChange(engine, schedule, reason, now),
    refresh: (schedule) => engine.snapshots.announce(String(schedule._id), snapshotOf(schedule)),
    addExtra: (schedule, occurrences, kind, options) => addExtraEvents(engine, schedule, occurrences, kind, options),
    runtime: (ids) => runtime.read(ids),
  };
}
