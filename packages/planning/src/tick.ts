import { findDueSchedules } from '@event-scheduler/models';
import type { Types } from 'mongoose';
import { planSchedules } from './plan.js';
import type { PlanningDeps } from './types.js';

export interface TickDeps extends PlanningDeps {
  clock: () => Date;
  /** Schedules planned per batch (one insert, one addBulk, cursor updates); default 500. */
  batchSize?: number;
  /** Schedules read per query, planned `batchSize` at a time; default 10 batches. */
  readSize?: number;
}

export interface TickOutcome {
  /** Schedules read because their next run fell inside the window. */
  schedules: number;
  /** Events created (0 for schedules another planner had just planned). */
  planned: number;
  completed: number;
  /** Batches planned. */
  batches: number;
}

/**
 * One prequeuer tick: reads only the schedules whose next run falls inside the planning window
 * (the (status, next_run_at) index), `readSize` at a time, and plans them in bulk, `batchSize`
 * at a time. A planned
 * schedule's next run moves past the window, so the same query returns the next ones (a short
 * read is the last, which saves a query: on FerretDB v1 each one reads every active schedule); schedules
 * that could not finish (rule did not compile, catch-up budget spent) are excluded for the rest of
 * the tick. The window end is fixed at the start; `now` is read fresh for every batch, so the
 * delays of the jobs added stay exact however long the tick takes.
 */
export async function planningTick(deps: TickDeps): Promise<TickOutcome> {
  const { models, clock, windowMs, batchSize = 500, readSize = batchSize * 10 } = deps;
  const until = new Date(clock().getTime() + windowMs);
  const exclude: Types.ObjectId[] = [];
  const outcome: TickOutcome = { schedules: 0, planned: 0, completed: 0, batches: 0 };
  for (;;) {
    const due = await findDueSchedules(models, { until, limit: readSize, exclude });
    if (due.length === 0) return outcome;
    outcome.schedules += due.length;
    for (let i = 0; i < due.length; i += batchSize) {
      const batch = due.slice(i, i + batchSize);
      outcome.batches += 1;
      const results = await planSchedules(deps, batch, clock());
      results.forEach((r, j) => {
        outcome.planned += r.planned;
        if (r.completed) outcome.completed += 1;
        const schedule = batch[j];
        if (schedule && !r.advanced) exclude.push(schedule._id);
      });
    }
    // A short read was the last: the window end is fixed, so nothing else can have come due.
    if (due.length < readSize) return outcome;
  }
}
