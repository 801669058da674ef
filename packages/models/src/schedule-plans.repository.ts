import type { Types } from 'mongoose';
import { isDuplicateKeyError } from './connect.js';
import type { Models } from './models.js';
import type { PlanCursor } from './schedule.schema.js';
import type { SchedulePlan } from './schedule-plan.schema.js';

/** A plan as read with `.lean()`. */
export type SchedulePlanRecord = SchedulePlan;

type PlanModels = Pick<Models, 'schedulePlans'>;

export const planIdOf = (scheduleId: Types.ObjectId | string, version: number) => `${String(scheduleId)}:${version}`;

/**
 * Starts the plan of a schedule version (`nextRunAt`: its first occurrence to plan; `cursor`:
 * where planning got to, when the first window was planned already), unless it exists. An
 * insert, so it cannot overwrite a planner's progress, and cheap on FerretDB v1 (no scan).
 */
export async function startPlan(
  models: PlanModels,
  schedule: { _id: Types.ObjectId; tenant_id: string; version: number },
  nextRunAt: Date | null,
  cursor: PlanCursor | null = null,
): Promise<void> {
  try {
    await models.schedulePlans.collection.insertOne({
      _id: planIdOf(schedule._id, schedule.version),
      tenant_id: schedule.tenant_id,
      schedule_id: schedule._id,
      version: schedule.version,
      cursor: cursor ? { last_at: cursor.last_at, count: cursor.count, anchor: cursor.anchor } : null,
      next_run_at: nextRunAt,
      created_at: new Date(),
      updated_at: new Date(),
    } as never);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

/** One plan by schedule and version. */
export async function findPlan(
  models: PlanModels,
  scheduleId: Types.ObjectId,
  version: number,
): Promise<SchedulePlanRecord | null> {
  return (await models.schedulePlans
    .findOne({ _id: planIdOf(scheduleId, version) })
    .lean()) as SchedulePlanRecord | null;
}

/**
 * Plans whose next occurrence is at or before `until`, soonest first (the `next_run_at` index),
 * leaving out `exclude` (plans this tick handled already).
 */
export async function findDuePlans(
  models: PlanModels,
  { until, limit, exclude = [] }: { until: Date; limit: number; exclude?: string[] },
): Promise<SchedulePlanRecord[]> {
  return (await models.schedulePlans
    .find({ next_run_at: { $lte: until }, ...(exclude.length > 0 ? { _id: { $nin: exclude } } : {}) })
    .sort({ next_run_at: 1 })
    .limit(limit)
    .lean()
    .exec()) as SchedulePlanRecord[];
}

/** The plans of these schedules (any version). */
export async function findPlansOf(
  models: PlanModels,
  scheduleIds: readonly Types.ObjectId[],
): Promise<SchedulePlanRecord[]> {
  if (scheduleIds.length === 0) return [];
  return (await models.schedulePlans
    .find({ schedule_id: { $in: [...scheduleIds] } })
    .lean()
    .exec()) as SchedulePlanRecord[];
}

/**
 * Most update statements sent in one command. FerretDB v1 holds a PostgreSQL connection per
 * statement until the command ends (its pool has 50), so large update batches must be split.
 */
export const UPDATES_PER_COMMAND = 16;

export interface PlanAdvance {
  plan: Pick<SchedulePlanRecord, '_id' | 'cursor'>;
  cursor: PlanCursor;
  nextRunAt: Date | null;
}

/**
 * Stores each plan's new cursor, conditional on the cursor it was planned from, so a planner
 * working from a stale read cannot move it backwards (on MongoDB; FerretDB v1 does not run filter
 * and write atomically, where a stale cursor only makes the next pass find its events planned
 * already). A few statements per command, one command at a time (see UPDATES_PER_COMMAND).
 */
export async function advancePlans(models: PlanModels, advances: readonly PlanAdvance[], now: Date): Promise<void> {
  const ops = advances.map(({ plan, cursor, nextRunAt }) => ({
    updateOne: {
      filter: {
        _id: plan._id,
        ...(plan.cursor
          ? { 'cursor.last_at': plan.cursor.last_at, 'cursor.count': plan.cursor.count }
          : { cursor: null }),
      },
      update: {
        $set: {
          cursor: { last_at: cursor.last_at, count: cursor.count, anchor: cursor.anchor },
          next_run_at: nextRunAt,
          updated_at: now,
        },
      },
    },
  }));
  for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) {
    await models.schedulePlans.bulkWrite(ops.slice(i, i + UPDATES_PER_COMMAND) as never, { ordered: false });
  }
}

/** Deletes plans that no longer apply (their version is gone, or the schedule is paused or deleted). */
export async function deletePlans(models: PlanModels, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await models.schedulePlans.bulkWrite(
    ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
    { ordered: false },
  );
}
