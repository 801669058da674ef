import {
  deletePlans,
  findDuePlans,
  findSchedulesByIds,
  type SchedulePlanRecord,
  type ScheduleRecord,
} from '@event-scheduler/models';
import type { Engine } from '../context.js';
import { type PlanTarget, planSchedules } from './plan.js';

/** A plan whose schedule does not exist yet may be one the API is creating: it is left alone this long. */
const ORPHAN_GRACE_MS = 60_000;

export interface TickOptions {
  clock: () => Date;
  /** Schedules planned per batch (one insert, one timeline add, cursor writes); default 500. */
  batchSize?: number;
  /** Plans read per query, planned `batchSize` at a time; default 10 batches. */
  readSize?: number;
}

export interface TickOutcome {
  /** Schedules read because their next run came inside the window. */
  schedules: number;
  /** Events created (0 for schedules another planner had just planned). */
  planned: number;
  completed: number;
  /** Plans dropped because their version is gone (the schedule changed, was paused or deleted). */
  dropped: number;
  batches: number;
}

type Verdict = { plan: true; target: PlanTarget } | { plan: false; drop: boolean };

/** What to do with a due plan, given its schedule as stored now. */
function judge(plan: SchedulePlanRecord, schedule: ScheduleRecord | undefined, now: Date): Verdict {
  if (!schedule) {
    const orphan = now.getTime() - plan.created_at.getTime() > ORPHAN_GRACE_MS;
    return { plan: false, drop: orphan };
  }
  // The API starts the plan of a new version just before it stores that version.
  if (schedule.version < plan.version) return { plan: false, drop: false };
  if (schedule.version > plan.version || schedule.status !== 'active' || schedule.deleted_at) {
    return { plan: false, drop: true };
  }
  return { plan: true, target: { schedule, plan } };
}

/**
 * One prequeuer tick: reads the plans whose next run comes within half the window (the
 * `next_run_at` index), with their schedules, and plans them up to the whole window, so a
 * schedule is planned every half window, not every tick (a schedule firing every second costs
 * one cursor write per half window, not one per tick). A plan whose version is not its schedule's
 * (changed, paused, deleted) is dropped. Plans that could not finish (rule did not compile,
 * catch-up budget spent) are excluded for the rest of the tick. The window end is fixed at the
 * start; `now` is read fresh for every batch.
 */
export async function planningTick(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'rules' | 'log' | 'windowMs' | 'leadMs'>,
  { clock, batchSize = 500, readSize = batchSize * 10 }: TickOptions,
): Promise<TickOutcome> {
  const { models } = engine;
  const until = new Date(clock().getTime() + engine.windowMs / 2);
  const exclude: string[] = [];
  const outcome: TickOutcome = { schedules: 0, planned: 0, completed: 0, dropped: 0, batches: 0 };
  for (;;) {
    const due = await findDuePlans(models, { until, limit: readSize, exclude });
    if (due.length === 0) return outcome;
    const schedules = new Map(
      (
        await findSchedulesByIds(
          models,
          due.map((p) => p.schedule_id),
        )
      ).map((s) => [s._id.toHexString(), s]),
    );
    const now = clock();
    const targets: PlanTarget[] = [];
    const stale: string[] = [];
    for (const plan of due) {
      const verdict = judge(plan, schedules.get(plan.schedule_id.toHexString()), now);
      if (verdict.plan) targets.push(verdict.target);
      else {
        if (verdict.drop) stale.push(plan._id);
        exclude.push(plan._id);
      }
    }
    await deletePlans(models, stale);
    outcome.dropped += stale.length;
    outcome.schedules += targets.length;
    for (let i = 0; i < targets.length; i += batchSize) {
      const batch = targets.slice(i, i + batchSize);
      outcome.batches += 1;
      const results = await planSchedules(engine, batch, clock());
      results.forEach((r, j) => {
        outcome.planned += r.planned;
        if (r.completed) outcome.completed += 1;
        const target = batch[j];
        if (target && !r.advanced) exclude.push(target.plan._id);
      });
    }
    // A short read was the last: the window end is fixed, so nothing else can have come due.
    if (due.length < readSize) return outcome;
  }
}
