import { isValidObjectId, type Types, type UpdateQuery } from 'mongoose';
import type { Models } from './models.js';
import type { Schedule, ScheduleStatus } from './schedule.schema.js';

/** A schedule as read with `.lean()`. */
export type ScheduleRecord = Schedule & { _id: Types.ObjectId };

/** What a caller supplies to create a schedule; the rest takes the schema's defaults. */
export type NewSchedule = Omit<Schedule, 'created_at' | 'updated_at'>;

type ScheduleModels = Pick<Models, 'schedules'>;

/** Live (not soft-deleted) schedules of one tenant: the base of every API query. */
const live = (tenantId: string) => ({ tenant_id: tenantId, deleted_at: null });

export async function insertSchedule(models: ScheduleModels, doc: NewSchedule): Promise<ScheduleRecord> {
  const created = await models.schedules.create(doc);
  return created.toObject() as ScheduleRecord;
}

/** One of the tenant's live schedules; another tenant's, a deleted or a malformed id all give null. */
export async function findSchedule(
  models: ScheduleModels,
  tenantId: string,
  id: string,
): Promise<ScheduleRecord | null> {
  if (!isValidObjectId(id) || !/^[0-9a-f]{24}$/i.test(id)) return null;
  return (await models.schedules.findOne({ _id: id, ...live(tenantId) }).lean()) as ScheduleRecord | null;
}

export interface ScheduleListQuery {
  status?: ScheduleStatus;
  /** Case-insensitive substring of the name. */
  name?: string;
  page: number;
  limit: number;
}

/** The tenant's live schedules, newest first, one page of them and how many match in all. */
export async function listSchedules(
  models: ScheduleModels,
  tenantId: string,
  { status, name, page, limit }: ScheduleListQuery,
): Promise<{ items: ScheduleRecord[]; total: number }> {
  const filter: Record<string, unknown> = live(tenantId);
  if (status) filter.status = status;
  if (name) filter.name = { $regex: escapeRegex(name), $options: 'i' };
  const [items, total] = await Promise.all([
    models.schedules
      .find(filter)
      .sort({ created_at: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    models.schedules.countDocuments(filter),
  ]);
  return { items: items as ScheduleRecord[], total };
}

/**
 * Applies `update` to a live schedule if its version is still `expectedVersion` (compare-and-set,
 * so two concurrent changes cannot both bump the version from the same value). Returns the
 * updated schedule, or null when it is gone or changed meanwhile (re-read to tell which).
 */
export async function updateScheduleIfVersion(
  models: ScheduleModels,
  tenantId: string,
  id: Types.ObjectId,
  expectedVersion: number,
  update: UpdateQuery<Schedule>,
): Promise<ScheduleRecord | null> {
  return (await models.schedules
    .findOneAndUpdate({ _id: id, ...live(tenantId), version: expectedVersion }, update, { returnDocument: 'after' })
    .lean()) as ScheduleRecord | null;
}

/** Ids of those schedules (out of `ids`) that are live in the tenant; used to filter bulk work. */
export async function liveScheduleIds(
  models: ScheduleModels,
  tenantId: string,
  ids: readonly Types.ObjectId[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await models.schedules
    .find({ _id: { $in: ids }, ...live(tenantId) })
    .select({ _id: 1 })
    .lean();
  return new Set(found.map((s) => String(s._id)));
}

/** Schedules by id, whatever their tenant or state (planning and delivery; never the API). */
export async function findSchedulesByIds(
  models: ScheduleModels,
  ids: readonly Types.ObjectId[],
): Promise<ScheduleRecord[]> {
  if (ids.length === 0) return [];
  return (await models.schedules
    .find({ _id: { $in: [...ids] } })
    .lean()
    .exec()) as ScheduleRecord[];
}

/**
 * Marks a schedule whose rule is used up `completed`, if it is still active at that version. The
 * planner's only write to a schedule, once in its life.
 */
export async function markScheduleCompleted(
  models: ScheduleModels,
  schedule: { _id: Types.ObjectId; version: number },
  now: Date,
): Promise<boolean> {
  const result = await models.schedules.updateOne(
    { _id: schedule._id, version: schedule.version, status: 'active', deleted_at: null },
    { $set: { status: 'completed', updated_at: now } },
  );
  return result.modifiedCount > 0;
}

/** Active schedules changed at or after `since` (the planner's check that each has a plan of its version). */
export async function findActiveSchedulesChangedSince(
  models: ScheduleModels,
  since: Date,
  limit: number,
): Promise<ScheduleRecord[]> {
  return (await models.schedules
    .find({ updated_at: { $gte: since }, status: 'active', deleted_at: null })
    .limit(limit)
    .lean()
    .exec()) as ScheduleRecord[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
