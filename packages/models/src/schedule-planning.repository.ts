import { Types } from 'mongoose';
import { writeErrorsOf } from './bulk-writer.js';
import type { EventRecord } from './event.repository.js';
import type { EventDoc, EventStatus } from './event.schema.js';
import type { Models } from './models.js';
import type { ScheduleRecord } from './schedule.repository.js';
import type { PlanCursor, ScheduleStatus } from './schedule.schema.js';

/**
 * Active, not deleted schedules whose next unplanned run is at or before `until`, soonest first
 * (the (status, next_run_at) index). `exclude` leaves out schedules already handled in this tick.
 */
export function findDueSchedules(
  models: Pick<Models, 'schedules'>,
  { until, limit, exclude = [] }: { until: Date; limit: number; exclude?: Types.ObjectId[] },
): Promise<ScheduleRecord[]> {
  return models.schedules
    .find({
      status: 'active',
      deleted_at: null,
      next_run_at: { $lte: until },
      ...(exclude.length > 0 ? { _id: { $nin: exclude } } : {}),
    })
    .sort({ next_run_at: 1 })
    .limit(limit)
    .lean<ScheduleRecord[]>()
    .exec();
}

/** One schedule by id, with its tenant (every query of tenant data filters by tenant). */
export function findScheduleForPlanning(
  models: Pick<Models, 'schedules'>,
  tenantId: string,
  scheduleId: Types.ObjectId | string,
): Promise<ScheduleRecord | null> {
  return models.schedules.findOne({ _id: scheduleId, tenant_id: tenantId }).lean<ScheduleRecord>().exec();
}

/**
 * Most update statements sent in one command. FerretDB v1 holds a PostgreSQL connection per
 * statement until the command ends (its pool has 50), so large update batches must be split.
 */
export const UPDATES_PER_COMMAND = 16;

export interface CursorAdvance {
  schedule: Pick<ScheduleRecord, '_id' | 'tenant_id' | 'version' | 'cursor'>;
  cursor: PlanCursor;
  nextRunAt: Date | null;
  /** `completed` once the rule is used up. */
  status?: ScheduleStatus;
}

/**
 * Stores each schedule's new planning cursor, conditional on the cursor and version it was planned
 * from, so a planner working from a stale read cannot move a cursor backwards or plan over a newer
 * version. Returns the ids whose update matched nothing (someone else moved them first).
 * FerretDB v1 does not run the filter and the write atomically, so this narrows races but is not
 * what prevents duplicates: the unique (schedule_id, occurrence_at) index and job ids do that.
 * A schedule reported here may also have been advanced by a concurrent planner to the same cursor.
 */
export async function advancePlanningCursors(
  models: Pick<Models, 'schedules'>,
  advances: CursorAdvance[],
  now: Date,
): Promise<Types.ObjectId[]> {
  if (advances.length === 0) return [];
  const ops = advances.map(({ schedule, cursor, nextRunAt, status }) => ({
    updateOne: {
      filter: {
        _id: schedule._id,
        tenant_id: schedule.tenant_id,
        version: schedule.version,
        status: 'active' as const,
        ...(schedule.cursor
          ? { 'cursor.last_at': schedule.cursor.last_at, 'cursor.count': schedule.cursor.count }
          : { cursor: null }),
      },
      update: {
        $set: {
          cursor: { last_at: cursor.last_at, count: cursor.count, anchor: cursor.anchor },
          next_run_at: nextRunAt,
          updated_at: now,
          ...(status ? { status } : {}),
        },
      },
    },
  }));
  // A few statements per command, one command at a time: FerretDB v1 keeps every update
  // statement's query (and its PostgreSQL connection) open until the whole command ends, and
  // needs one more connection per write, so a command of ~50 statements, or many concurrent
  // commands, exhaust its pool of 50 and deadlock it for every client.
  let matched = 0;
  for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) {
    const result = await models.schedules.bulkWrite(ops.slice(i, i + UPDATES_PER_COMMAND), { ordered: false });
    matched += result.matchedCount;
  }
  if (matched >= advances.length) return [];
  // Some did not match: find which by reading them back (rare: a concurrent planner or API change).
  const current = await models.schedules
    .find({ _id: { $in: advances.map((a) => a.schedule._id) } }, { version: 1, cursor: 1, status: 1 })
    .lean()
    .exec();
  const byId = new Map(current.map((c) => [c._id.toHexString(), c]));
  return advances
    .filter(({ schedule, cursor }) => {
      const now = byId.get(schedule._id.toHexString());
      return !now || now.version !== schedule.version || now.cursor?.last_at !== cursor.last_at;
    })
    .map((a) => a.schedule._id);
}

/**
 * Inserts new events unordered; an event whose (schedule_id, occurrence_at) exists already is
 * left out (E11000: another planner, or an earlier run, planned it). Returns the ones inserted.
 * Uses the driver directly: mongoose's insertMany costs several times more per document.
 */
export async function insertNewEvents(models: Pick<Models, 'events'>, docs: EventRecord[]): Promise<EventRecord[]> {
  if (docs.length === 0) return [];
  try {
    await models.events.collection.insertMany(docs, { ordered: false });
    return docs;
  } catch (error) {
    const errors = writeErrorsOf(error);
    if (!errors || errors.some((e) => e.code !== 11000 || e.index < 0)) throw error;
    const duplicates = new Set(errors.map((e) => e.index));
    return docs.filter((_, i) => !duplicates.has(i));
  }
}

/** Occurrence instants (ms) of one schedule already in `archived_events` between `from` and `to`. */
export async function findArchivedOccurrences(
  models: Pick<Models, 'archivedEvents'>,
  schedule: Pick<ScheduleRecord, '_id' | 'tenant_id'>,
  from: Date,
  to: Date,
): Promise<Set<number>> {
  const rows = await models.archivedEvents
    .find(
      { tenant_id: schedule.tenant_id, schedule_id: schedule._id, occurrence_at: { $gte: from, $lte: to } },
      { occurrence_at: 1 },
    )
    .lean()
    .exec();
  return new Set(rows.map((r) => r.occurrence_at.getTime()));
}

/** Removes events this planner inserted but must not keep (re-created after being archived). */
export async function deleteEvents(models: Pick<Models, 'events'>, ids: Types.ObjectId[]): Promise<void> {
  if (ids.length === 0) return;
  await models.events.bulkWrite(
    ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
    { ordered: false },
  );
}

/** Live (not archived) events of one schedule in the given statuses, optionally only older versions. */
export function findLiveEventsOfSchedule(
  models: Pick<Models, 'events'>,
  schedule: Pick<ScheduleRecord, '_id' | 'tenant_id'>,
  { statuses, belowVersion }: { statuses: readonly EventStatus[]; belowVersion?: number },
): Promise<EventRecord[]> {
  return models.events
    .find({
      tenant_id: schedule.tenant_id,
      schedule_id: schedule._id,
      status: { $in: [...statuses] },
      ...(belowVersion !== undefined ? { schedule_version: { $lt: belowVersion } } : {}),
    })
    .lean<EventRecord[]>()
    .exec();
}

/**
 * Every live event in one status (optionally last changed before `updatedBefore`), streamed in
 * batches, for reconciliation. Unsorted on purpose: FerretDB v1 sorts in memory, and a filter of
 * plain equalities is the only kind it runs inside PostgreSQL.
 */
export function streamEventsByStatus(
  models: Pick<Models, 'events'>,
  status: EventStatus,
  { updatedBefore, batchSize = 1000 }: { updatedBefore?: Date; batchSize?: number } = {},
): AsyncIterable<EventRecord> {
  return models.events
    .find({ status, ...(updatedBefore ? { updated_at: { $lt: updatedBefore } } : {}) })
    .lean<EventRecord[]>()
    .cursor({ batchSize }) as unknown as AsyncIterable<EventRecord>;
}

/** Events by id (re-read before acting on a reconciliation candidate). */
export function findEventsByIds(models: Pick<Models, 'events'>, ids: Types.ObjectId[]): Promise<EventRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return models.events
    .find({ _id: { $in: ids } })
    .lean<EventRecord[]>()
    .exec();
}

/** One live event by id and tenant. */
export function findLiveEvent(
  models: Pick<Models, 'events'>,
  tenantId: string,
  eventId: Types.ObjectId | string,
): Promise<EventRecord | null> {
  return models.events.findOne({ _id: eventId, tenant_id: tenantId }).lean<EventRecord>().exec();
}

/**
 * Deletes archived events archived before `cutoff`, `batch` at a time (FerretDB v1 has no TTL
 * index). Returns how many were deleted.
 */
export async function purgeArchivedEvents(
  models: Pick<Models, 'archivedEvents'>,
  cutoff: Date,
  batch = 5000,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await models.archivedEvents
      .find({ archived_at: { $lt: cutoff } }, { _id: 1 })
      .limit(batch)
      .lean()
      .exec();
    if (ids.length === 0) return deleted;
    const result = await models.archivedEvents.deleteMany({ _id: { $in: ids.map((r) => r._id) } });
    deleted += result.deletedCount;
    if (ids.length < batch) return deleted;
  }
}

/** A new event document, ready for {@link insertNewEvents}. */
export function newEventDoc(
  schedule: Pick<ScheduleRecord, '_id' | 'tenant_id' | 'version'>,
  occurrenceAt: Date,
  kind: EventDoc['kind'],
  now: Date,
  message: string,
): EventRecord {
  return {
    _id: new Types.ObjectId(),
    tenant_id: schedule.tenant_id,
    schedule_id: schedule._id,
    schedule_version: schedule.version,
    occurrence_at: occurrenceAt,
    kind,
    status: 'scheduled',
    history: [{ time: now, status: 'scheduled', message }],
    attempts: [],
    next_attempt_at: null,
    finished_at: null,
    created_at: now,
    updated_at: now,
  };
}
