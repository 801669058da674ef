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

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
