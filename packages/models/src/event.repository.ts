import type { Types } from 'mongoose';
import type { BulkOperation } from './bulk-writer.js';
import { isDuplicateKeyError } from './connect.js';
import type { EventDoc, EventStatus } from './event.schema.js';
import type { Models } from './models.js';

/** An event as read with `.lean()`. */
export type EventRecord = EventDoc & { _id: Types.ObjectId };

/**
 * The one way an event's status changes: the new status and a history entry, in one update. Give
 * the result to a BulkWriter (status writes are batched off the timing path) or to bulkWrite.
 * `from` makes it conditional, so a late writer cannot move an event backwards.
 */
export function statusChange(
  eventId: Types.ObjectId | string,
  status: EventStatus,
  {
    now,
    message = null,
    from,
    set = {},
  }: {
    now: Date;
    message?: string | null;
    from?: readonly EventStatus[];
    set?: Partial<Pick<EventDoc, 'next_attempt_at' | 'finished_at'>>;
  },
): BulkOperation<EventDoc> {
  return {
    updateOne: {
      filter: { _id: eventId, ...(from ? { status: { $in: [...from] } } : {}) },
      update: { $set: { status, updated_at: now, ...set }, $push: { history: { time: now, status, message } } },
    },
  } as BulkOperation<EventDoc>;
}

/** What `archived_events` keeps of an event that finished `now` with `status`. */
export function archivedCopy(
  event: EventRecord,
  status: Extract<EventStatus, 'succeeded' | 'failed' | 'skipped' | 'cancelled'>,
  message: string | null,
  now: Date,
): EventRecord & { archived_at: Date } {
  return {
    ...event,
    status,
    history: [...event.history, { time: now, status, message }],
    next_attempt_at: null,
    finished_at: now,
    updated_at: now,
    archived_at: now,
  };
}

/**
 * Moves finished events to `archived_events` with their final status and a last history entry,
 * then deletes them from `events`. Idempotent: an event archived already (same `_id`) is only
 * deleted, so a crash between the two steps is repaired by running it again.
 */
export async function archiveEvents(
  models: Pick<Models, 'events' | 'archivedEvents'>,
  finished: {
    event: EventRecord;
    status: Extract<EventStatus, 'succeeded' | 'failed' | 'skipped' | 'cancelled'>;
    message?: string | null;
  }[],
  now: Date,
): Promise<void> {
  if (finished.length === 0) return;
  const docs = finished.map(({ event, status, message = null }) => archivedCopy(event, status, message, now));
  try {
    await models.archivedEvents.insertMany(docs, { ordered: false });
  } catch (error) {
    // Some were archived before (a retried archive); the rest went in.
    const writeErrors = (error as { writeErrors?: { err?: { code?: number }; code?: number }[] }).writeErrors;
    const onlyDuplicates =
      isDuplicateKeyError(error) || (writeErrors?.every((e) => (e.code ?? e.err?.code) === 11000) ?? false);
    if (!onlyDuplicates) throw error;
  }
  // One delete statement per event, by _id, in one command: FerretDB v1 runs an `_id` equality
  // inside PostgreSQL but evaluates `$in` by reading the whole collection.
  await models.events.bulkWrite(
    docs.map((d) => ({ deleteOne: { filter: { _id: d._id } } })),
    { ordered: false },
  );
}
