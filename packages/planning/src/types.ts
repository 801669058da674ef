import type { Logger } from '@event-scheduler/logging';
import type { Models, Schedule } from '@event-scheduler/models';
import type { QueueSet } from '@event-scheduler/queues';
import type { RuleLimits } from '@event-scheduler/scheduling';
import type { Types } from 'mongoose';

export interface PlanningDeps {
  /** `archivedEvents` too: skipped and cancelled events are archived as they are decided. */
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents'>;
  queues: QueueSet;
  log: Logger;
  /** How far ahead occurrences are planned (prequeuer.event_timeframe_minutes, in ms). */
  windowMs: number;
  /** How long before an occurrence is due the dispatcher takes it (its ready_queue delay is due - leadMs). */
  leadMs: number;
  /**
   * Rule limits for expansion (iterations, time per call). The minimum interval is never applied
   * when planning: stored rules were validated by the API, and the planner must not reject them.
   */
  limits?: Partial<RuleLimits>;
}

export type ScheduleWithId = Schedule & { _id: Types.ObjectId };

export interface PlanOutcome {
  /** Occurrences turned into events by this call (0 when another planner got there first). */
  planned: number;
  /** True when the rule is used up and the schedule was marked `completed`. */
  completed: boolean;
}
