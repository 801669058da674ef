import { isValidObjectId, Types } from 'mongoose';
import { findArchivedIds } from './archived-events.repository.js';
import { writeErrorsOf } from './bulk-writer.js';
import { type Attempt, type EventDoc, type StatusChange, WAITING_EVENT_STATUSES } from './event.schema.js';
import type { Models } from './models.js';

/** An event as read with `.lean()`. */
export type EventRecord = EventDoc & { _id: Types.ObjectId };

type EventModels = Pick<Models, 'events'>;

const isObjectIdText = (id: string) => isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id);

/** Parses an id the API received; null when it is not an ObjectId. */
export function parseObjectId(id: string): Types.ObjectId | null {
  return isObjectIdText(id) ? new Types.ObjectId(id) : null;
}

/**
 * Inserts planned events unordered; one whose `_id` exists already (planned before, by another
 * planner or an earlier pass) is left out. Returns the ones inserted. Uses the driver directly:
 * mongoose's insertMany costs several times more per document. Inserts are the one statement
 * whose cost does not grow with the collection on FerretDB v1.
 */
export async function insertPlannedEvents(models: EventModels, docs: EventRecord[]): Promise<EventRecord[]> {
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

/** Deletes live events by id, one `_id` statement each (FerretDB v1 reads the whole collection for `$in`). */
export async function deleteLiveEvents(models: EventModels, ids: readonly Types.ObjectId[]): Promise<void> {
  if (ids.length === 0) return;
  await models.events.bulkWrite(
    ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
    { ordered: false },
  );
}

/**
 * Records a failed attempt of a live event and when its next one is due: status
 * `retry_scheduled`, the attempt (and any attempt an earlier run lost) and the history entries
 * since the last write, in one update. The only write on the way to an outcome, and only on
 * failure. False when the event is not live (archived and purged, say).
 */
export async function markRetryScheduled(
  models: EventModels,
  id: Types.ObjectId,
  { attempts, history, nextAt, now }: { attempts: Attempt[]; history: StatusChange[]; nextAt: Date; now: Date },
): Promise<boolean> {
  const result = await models.events.updateOne(
    { _id: id },
    {
      $set: { status: 'retry_scheduled', next_attempt_at: nextAt, updated_at: now },
      $push: { history: { $each: history }, attempts: { $each: attempts } },
    },
  );
  return result.matchedCount > 0;
}

/**
 * Records attempts that may have reached the receiver without being recorded (their worker's
 * state went with Redis), on a live event that still records exactly `recorded` attempts: a
 * second reconciler, or a worker recording meanwhile, makes the condition fail and the caller
 * leaves that event for the next pass. The event then waits for its next attempt at `nextAt`
 * (`retry_scheduled`). Resolves to whether it was recorded.
 */
export async function recordLostAttempts(
  models: EventModels,
  id: Types.ObjectId,
  {
    recorded,
    attempts,
    history,
    nextAt,
    now,
  }: { recorded: number; attempts: Attempt[]; history: StatusChange[]; nextAt: Date; now: Date },
): Promise<boolean> {
  const result = await models.events.updateOne(
    { _id: id, attempts: { $size: recorded } },
    {
      $set: { status: 'retry_scheduled', next_attempt_at: nextAt, updated_at: now },
      $push: { history: { $each: history }, attempts: { $each: attempts } },
    },
  );
  return result.matchedCount > 0;
}

/** Live events by id (any status). */
export async function findLiveEvents(models: EventModels, ids: readonly Types.ObjectId[]): Promise<EventRecord[]> {
  if (ids.length === 0) return [];
  return (await models.events
    .find({ _id: { $in: [...ids] } })
    .lean()
    .exec()) as EventRecord[];
}

/**
 * A schedule's live events waiting for a send that have no outcome yet (a live copy whose outcome
 * is archived is finished), optionally only those planned under a version below `belowVersion`.
 */
export async function findWaitingEventsOfSchedule(
  models: Pick<Models, 'events' | 'archivedEvents'>,
  schedule: { _id: Types.ObjectId; tenant_id: string },
): Promise<EventRecord[]> {
  const live = (await models.events
    .find({ tenant_id: schedule.tenant_id, schedule_id: schedule._id, status: { $in: [...WAITING_EVENT_STATUSES] } })
    .lean()
    .exec()) as EventRecord[];
  const finished = await findArchivedIds(
    models,
    live.map((e) => e._id),
  );
  return live.filter((e) => !finished.has(e._id.toHexString()));
}

/**
 * Every live event waiting for a send, streamed in batches, for reconciliation (the caller leaves
 * out those with an archived outcome). Unsorted on purpose: FerretDB v1 sorts in memory.
 */
export function streamWaitingEvents(models: EventModels, batchSize = 1000): AsyncIterable<EventRecord> {
  return models.events
    .find({ status: { $in: [...WAITING_EVENT_STATUSES] } })
    .lean<EventRecord[]>()
    .cursor({ batchSize }) as unknown as AsyncIterable<EventRecord>;
}

export interface Page {
  page: number;
  limit: number;
}

/**
 * Events of one schedule not finished yet, the next occurrence first. A live copy whose outcome
 * is archived is finished; they are left out before paging, so pages stay full and totals right.
 * The cost follows the schedule's live events (its planning window, plus what the purge has not
 * reached yet), never its history.
 */
export async function listPendingEvents(
  models: Pick<Models, 'events' | 'archivedEvents'>,
  tenantId: string,
  scheduleId: Types.ObjectId,
  { page, limit }: Page,
): Promise<{ items: EventRecord[]; total: number }> {
  const filter = { tenant_id: tenantId, schedule_id: scheduleId, status: { $in: [...WAITING_EVENT_STATUSES] } };
  const heads = await models.events
    .find(filter, { _id: 1, occurrence_at: 1 })
    .sort({ occurrence_at: 1, _id: 1 })
    .lean();
  const finished = await findArchivedIds(
    models,
    heads.map((h) => h._id),
  );
  const pending = heads.filter((h) => !finished.has(h._id.toHexString()));
  const ids = pending.slice((page - 1) * limit, page * limit).map((h) => h._id);
  const items = await findLiveEvents(models, ids);
  const order = new Map(ids.map((id, i) => [id.toHexString(), i]));
  items.sort((a, b) => (order.get(a._id.toHexString()) ?? 0) - (order.get(b._id.toHexString()) ?? 0));
  return { items, total: pending.length };
}

/** One live event of the tenant by id (callers check for an archived outcome first). */
export async function findLiveEvent(models: EventModels, tenantId: string, id: string): Promise<EventRecord | null> {
  if (!isObjectIdText(id)) return null;
  return (await models.events.findOne({ _id: id, tenant_id: tenantId }).lean()) as EventRecord | null;
}

/**
 * Puts a finished event back as a live one waiting for a redelivery (`doc`: its next round):
 * replaces the live copy if the purge has not removed it yet, or inserts it again. The caller
 * deletes the archived outcome afterwards, so a crash in between leaves it finished, not lost.
 */
export async function reviveForRedelivery(models: EventModels, doc: EventRecord): Promise<void> {
  await models.events.replaceOne({ _id: doc._id }, doc, { upsert: true });
}

/**
 * Ids of live events whose occurrence is before `before` (oldest first, at most `limit`): the
 * purge's candidates; it deletes those whose outcome is archived. One read and one delete per
 * purge run, never a statement per delivery.
 */
export async function findLiveEventsBefore(
  models: EventModels,
  before: Date,
  limit: number,
): Promise<Types.ObjectId[]> {
  const rows = await models.events
    .find({ occurrence_at: { $lt: before } }, { _id: 1 })
    .limit(limit)
    .lean();
  return rows.map((r) => r._id);
}

/** Deletes live events by id in one statement (the purge: once per run, not per delivery). */
export async function deleteLiveEventsIn(models: EventModels, ids: readonly Types.ObjectId[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await models.events.deleteMany({ _id: { $in: [...ids] } });
  return result.deletedCount;
}
