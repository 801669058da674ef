import type { Types } from 'mongoose';
import { writeErrorsOf } from './bulk-writer.js';
import type { ArchivedEventDoc, Attempt, StatusChange } from './event.schema.js';
import type { Models } from './models.js';

/** An archived (finished) event as read with `.lean()`. */
export type ArchivedEventRecord = ArchivedEventDoc & { _id: Types.ObjectId };

type ArchiveModels = Pick<Models, 'archivedEvents'>;

/**
 * Archives outcomes: one unordered insert. A document whose `_id` is archived already (someone
 * else finished the event first: a pause cancelled it while its attempt ran, say) is reported as
 * `duplicate`, by index; the others are in. The outcome of an event is this insert alone: its
 * live copy is left to the purge, so a delivery costs the database no update and no delete.
 */
export async function insertOutcomes(
  models: ArchiveModels,
  docs: readonly ArchivedEventRecord[],
): Promise<('inserted' | 'duplicate')[]> {
  if (docs.length === 0) return [];
  try {
    await models.archivedEvents.collection.insertMany([...docs], { ordered: false });
    return docs.map(() => 'inserted');
  } catch (error) {
    const errors = writeErrorsOf(error);
    if (!errors || errors.some((e) => e.code !== 11000 || e.index < 0)) throw error;
    const duplicates = new Set(errors.map((e) => e.index));
    return docs.map((_, i) => (duplicates.has(i) ? 'duplicate' : 'inserted'));
  }
}

/**
 * Keeps an attempt whose event was finished by someone else meanwhile (superseded, or cancelled
 * by a pause while the attempt ran): the attempt happened, so its record goes onto the archive.
 */
export async function attachAttempt(
  models: ArchiveModels,
  id: Types.ObjectId,
  attempt: Attempt,
  delivered?: StatusChange,
): Promise<void> {
  // An attempt answered 2xx turns a `cancelled` archive into `succeeded`: the callback went out.
  if (delivered) {
    const overruled = await models.archivedEvents.updateOne(
      { _id: id, status: 'cancelled' },
      {
        $set: { status: delivered.status, updated_at: delivered.time },
        $push: { attempts: attempt, history: delivered },
      },
    );
    if (overruled.matchedCount > 0) return;
  }
  await models.archivedEvents.updateOne({ _id: id }, { $push: { attempts: attempt } });
}

/** Which of these events have an archived outcome (hex ids). */
export async function findArchivedIds(models: ArchiveModels, ids: readonly Types.ObjectId[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await models.archivedEvents
    .find({ _id: { $in: [...ids] } }, { _id: 1 })
    .lean()
    .exec();
  return new Set(rows.map((r) => r._id.toHexString()));
}

/** One of the tenant's archived events by id. */
export async function findArchivedEvent(
  models: ArchiveModels,
  tenantId: string,
  id: Types.ObjectId,
): Promise<ArchivedEventRecord | null> {
  return (await models.archivedEvents.findOne({ _id: id, tenant_id: tenantId }).lean()) as ArchivedEventRecord | null;
}

/** Deletes an archived outcome (a redelivery made the event live again). */
export async function deleteArchivedEvent(models: ArchiveModels, id: Types.ObjectId): Promise<void> {
  await models.archivedEvents.deleteOne({ _id: id });
}

/** Finished events of one schedule, the latest occurrence first. */
export async function listEventHistory(
  models: ArchiveModels,
  tenantId: string,
  scheduleId: Types.ObjectId,
  { page, limit }: { page: number; limit: number },
): Promise<{ items: ArchivedEventRecord[]; total: number }> {
  const filter = { tenant_id: tenantId, schedule_id: scheduleId };
  const [items, total] = await Promise.all([
    models.archivedEvents
      .find(filter)
      .sort({ occurrence_at: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    models.archivedEvents.countDocuments(filter),
  ]);
  return { items: items as ArchivedEventRecord[], total };
}

export interface FailedEventQuery {
  scheduleId?: Types.ObjectId;
  /** Finished at or after. */
  since: Date;
  /** Finished at or before. */
  until: Date;
  limit: number;
}

/** The tenant's failed events that finished in [since, until], oldest first ("recover since T"). */
export async function findFailedEvents(
  models: ArchiveModels,
  tenantId: string,
  { scheduleId, since, until, limit }: FailedEventQuery,
): Promise<ArchivedEventRecord[]> {
  const filter: Record<string, unknown> = {
    tenant_id: tenantId,
    status: 'failed',
    finished_at: { $gte: since, $lte: until },
  };
  if (scheduleId) filter.schedule_id = scheduleId;
  return (await models.archivedEvents
    .find(filter)
    .sort({ finished_at: 1, _id: 1 })
    .limit(limit)
    .lean()) as ArchivedEventRecord[];
}

/**
 * Instants in [from, to] at which the schedule already delivered (or tried to deliver until it
 * gave up): a backfill leaves them out. Skipped and cancelled occurrences never reached the
 * receiver, so a backfill may still fire them.
 */
export async function findDeliveredOccurrences(
  models: ArchiveModels,
  tenantId: string,
  scheduleId: Types.ObjectId,
  from: Date,
  to: Date,
): Promise<Set<number>> {
  const rows = await models.archivedEvents
    .find({
      tenant_id: tenantId,
      schedule_id: scheduleId,
      occurrence_at: { $gte: from, $lte: to },
      status: { $in: ['succeeded', 'failed'] },
    })
    .select({ occurrence_at: 1 })
    .lean();
  return new Set(rows.map((r) => r.occurrence_at.getTime()));
}

/** The latest occurrence of a schedule that was delivered or attempted (its `last_run_at` when Redis lost it). */
export async function findLastRun(
  models: ArchiveModels,
  tenantId: string,
  scheduleId: Types.ObjectId,
): Promise<Date | null> {
  const row = await models.archivedEvents
    .findOne(
      { tenant_id: tenantId, schedule_id: scheduleId, status: { $in: ['succeeded', 'failed'] } },
      { occurrence_at: 1 },
    )
    .sort({ occurrence_at: -1 })
    .lean();
  return row?.occurrence_at ?? null;
}

/**
 * Deletes archived events archived before `cutoff`, `batch` at a time (FerretDB v1 has no TTL
 * index). Returns how many were deleted.
 */
export async function purgeArchivedEvents(models: ArchiveModels, cutoff: Date, batch = 5000): Promise<number> {
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
