import { findDueSchedules } from '@event-scheduler/models';
import type { Types } from 'mongoose';
import { planSchedules } from './plan.js';
import type { PlanningDeps } from './types.js';

export interface TickDeps extends PlanningDeps {
  clock: () => Date;
  /** Schedules read and planned per batch; default 500. */
  batchSize?: number;
}

export interface TickOutcome {
  /** Schedules read because their next run fell inside the window. */
  schedules: number;
  /** Events created (0 for schedules another planner had just planned). */
  planned: number;
  completed: number;
  /** Batches read (a tick stops when a batch comes back empty). */
  batches: number;
}

/**
 * One prequeuer tick: reads only the schedules whose next run falls inside the planning window
 * (the (status, next_run_at) index), a batch at a time, and plans each batch in bulk. A planned
 * schedule's next run moves past the window, so the same query returns the next batch (a short
 * batch is the last, which saves a query: on FerretDB v1 each one scans the collection); schedules
 * that could not finish (rule did not compile, catch-up budget spent) are excluded for the rest of
 * the tick. The window end is fixed at the start; `now` is read fresh for every batch, so the
 * delays of the jobs added stay exact however long the tick takes.
 */
export async function planningTick(deps: TickDeps): Promise<TickOutcome> {
  const { models, clock, windowMs, batchSize = 500 } = deps;
  const until = new Date(clock().getTime() + windowMs);
  const exclude: Types.ObjectId[] = [];
  const outcome: TickOutcome = { schedules: 0, planned: 0, completed: 0, batches: 0 };
  for (;;) {
    const due = await findDueSchedules(models, { until, limit: batchSize, exclude });
    if (due.length === 0) return outcome;
    outcome.batches += 1;
    outcome.schedules += due.length;
    const results = await planSchedules(deps, due, clock());
    results.forEach((r, i) => {
      outcome.planned += r.planned;
      if (r.completed) outcome.completed += 1;
      const schedule = due[i];
      if (schedule && !r.advanced) exclude.push(schedule._id);
    });
    // A short batch was the last: the window end is fixed, so nothing else can have come due.
    if (due.length < batchSize) return outcome;
  }
}
